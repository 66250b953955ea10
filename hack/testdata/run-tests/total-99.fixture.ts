// Prints text that looks like uvu's totals, twice, and has one failing test: the runner must count 1 and 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('prints totals of its own', () => {
  console.log('Total: 99');
  console.log('\n  Total:     99\n  Passed:    99\n  Skipped:   0\n  Duration:  1.00ms\n');
  assert.ok(true);
});
test('fails', () => assert.is(1, 2));
test.run();
