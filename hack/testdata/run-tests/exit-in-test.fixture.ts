// process.exit(0) in the middle of a test: uvu's exit hook turns the code into 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('exits', () => {
  process.exit(0);
});
test('never runs', () => assert.ok(true));
test.run();
