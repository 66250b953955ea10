import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConcurrencyLimit } from './limit.ts';

const tick = () => new Promise((r) => setImmediate(r));

test('at most max at once; the others start in arrival order as slots free', async () => {
  const limit = new ConcurrencyLimit(2);
  const started: number[] = [];
  const go = (i: number) => limit.acquire().then(() => started.push(i));
  for (const i of [1, 2, 3, 4]) void go(i);
  await tick();
  assert.equal(started, [1, 2]);
  limit.release();
  await tick();
  assert.equal(started, [1, 2, 3]);
  limit.release();
  limit.release();
  await tick();
  assert.equal(started, [1, 2, 3, 4]);
  // every slot back: two more start at once
  limit.release();
  for (const i of [5, 6, 7]) void go(i);
  await tick();
  assert.equal(started, [1, 2, 3, 4, 5, 6]);
});

test('a max below 1 is taken as 1', async () => {
  const limit = new ConcurrencyLimit(0);
  const started: number[] = [];
  for (const i of [1, 2]) void limit.acquire().then(() => started.push(i));
  await tick();
  assert.equal(started, [1]);
});

test.run();
