import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stoppedBecause } from './stale.ts';

const p = (pid: number) => ({ pid, startTime: '1' });
const aliveOnly = (pids: number[]) => (q: { pid: number }) => pids.includes(q.pid);

test('a cluster whose folder is gone has stopped', () => {
  assert.is(stoppedBecause({ dirExists: false, processes: undefined }, aliveOnly([])), 'its folder is gone');
});

test('a cluster with processes none of which runs has stopped', () => {
  assert.is(
    stoppedBecause({ dirExists: true, processes: [p(1), p(2)] }, aliveOnly([])),
    'none of its 2 processes runs',
  );
});

test('one live process keeps the cluster running', () => {
  assert.is(stoppedBecause({ dirExists: true, processes: [p(1), p(2)] }, aliveOnly([2])), undefined);
});

test('a cluster still starting (no state, or a state with no process yet) is never a leftover', () => {
  assert.is(stoppedBecause({ dirExists: true, processes: undefined }, aliveOnly([])), undefined);
  assert.is(stoppedBecause({ dirExists: true, processes: [] }, aliveOnly([])), undefined);
});

test.run();
