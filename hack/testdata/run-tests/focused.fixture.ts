// A focused test: only it would run. Linted by run-tests.test.ts; biome's noFocusedTests must reject it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test.only('focused', () => assert.ok(true));
test('not run', () => assert.ok(true));
test.run();
