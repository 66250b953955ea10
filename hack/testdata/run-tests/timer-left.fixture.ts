// Passes, but leaves an interval running: Node never exits by itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('passes and leaves a timer', () => {
  setInterval(() => undefined, 1000);
  assert.ok(true);
});
test.run();
