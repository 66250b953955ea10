// Two passing tests: the control.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('one', () => assert.ok(true));
test('two', () => assert.is(1 + 1, 2));
test.run();
