import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { StatusWaiters } from './status-lag.ts';

const cb = (members: number) => ({ status: { members } }) as unknown as ClusterBootstrap;

test('a waiter gets the receive time of the first later event that passes its test, for its resource only', async () => {
  const w = new StatusWaiters();
  w.onResource('ns/a', cb(2), 100); // before anyone waits: not counted
  const gone = w.next('ns/a', (x) => x.status?.members === 2, 1000);
  w.onResource('ns/b', cb(2), 200);
  w.onResource('ns/a', cb(3), 300);
  w.onResource('ns/a', cb(2), 400);
  w.onResource('ns/a', cb(2), 500);
  assert.is(await gone, 400);
});

test('a waiter that sees nothing resolves undefined after its timeout, and is forgotten', async () => {
  const w = new StatusWaiters();
  const never = w.next('ns/a', (x) => x.status?.members === 2, 20);
  assert.is(await never, undefined);
  const again = w.next('ns/a', (x) => x.status?.members === 3, 1000);
  w.onResource('ns/a', cb(3), 700);
  assert.is(await again, 700);
});

test.run();
