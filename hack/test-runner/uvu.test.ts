import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { endsWithUvuTotals, parseUvuTotals } from './uvu.ts';

const block = (total: number, passed: number, skipped = 0) =>
  `\n  Total:     ${total}\n  Passed:    ${passed}\n  Skipped:   ${skipped}\n  Duration:  12.34ms\n\n`;

test('the totals of the last complete block; lone "Total:" lines are not a block', () => {
  const out = `Total: 99\nPassed: 99\n• ✘ (1 / 2)\n${block(99, 99)}more output${block(2, 1, 1)}`;
  assert.equal(parseUvuTotals(out), { total: 2, passed: 1, skipped: 1 });
  assert.is(parseUvuTotals('Total: 3\nPassed: 3\n'), undefined);
  assert.is(parseUvuTotals(''), undefined);
});

test('colours are ignored', () => {
  const coloured = '\n  Total:     3\n\u001b[32m  Passed:    3\u001b[39m\n  Skipped:   0\n  Duration:  1.00ms\n\n';
  assert.equal(parseUvuTotals(coloured), { total: 3, passed: 3, skipped: 0 });
});

test('endsWithUvuTotals: only while nothing follows the block', () => {
  assert.ok(endsWithUvuTotals(`• •  (2 / 2)\n${block(2, 2)}`));
  assert.not.ok(endsWithUvuTotals(`${block(2, 2)}a test printing after a block of its own\n`));
  assert.not.ok(endsWithUvuTotals('Total: 2\n'));
});

test.run();
