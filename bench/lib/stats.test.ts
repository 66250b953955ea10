import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { median, mib, percentile, pool, ratio } from './stats.ts';

test('percentile is nearest-rank; median averages the middle pair', () => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.is(percentile(s, 50), 5);
  assert.is(percentile(s, 99), 10);
  assert.is(percentile(s, 0), 1);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
});

test('ratio and mib say n/a for what is missing', () => {
  assert.is(ratio(3, 2), '1.50');
  assert.is(ratio(3, 0), 'n/a');
  assert.is(ratio(undefined, 2), 'n/a');
  assert.is(mib(3 * 1024 ** 2), '3');
  assert.is(mib(undefined), 'n/a');
});

test('pool keeps at most `limit` in flight and runs everything', async () => {
  let inFlight = 0;
  let most = 0;
  const done: number[] = [];
  await pool([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    done.push(x);
    inFlight--;
  });
  assert.is(most, 3);
  assert.equal(done.sort(), [1, 2, 3, 4, 5, 6, 7]);
});

test.run();
