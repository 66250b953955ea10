// A test registered but test.run() forgotten: nothing runs, and the process exits 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('never runs', () => assert.ok(false));
