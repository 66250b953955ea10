import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProbeLoop } from './probe-loop.ts';

// periods of 10 ms (fractions of a second are fine for the loop; the API only allows whole seconds)
const fast = { periodSeconds: 0.01, failureThreshold: 3, successThreshold: 2 };

function scripted(results: boolean[]) {
  let i = 0;
  return async () => ({ ok: results[Math.min(i++, results.length - 1)] ?? false, message: 'x' });
}

test('readiness starts failed and needs successThreshold passes in a row', async () => {
  const changes: boolean[] = [];
  let failures = 0;
  const loop = new ProbeLoop(
    'readiness',
    fast,
    scripted([true, false, true, true]),
    (ok) => changes.push(ok),
    () => failures++,
  );
  assert.not.ok(loop.ok);
  loop.start();
  await sleep(150);
  loop.stop();
  assert.equal(changes, [true], 'one flip, after two passes in a row');
  assert.is(failures, 1);
});

test('liveness starts passed and fails after failureThreshold failures in a row', async () => {
  const changes: boolean[] = [];
  const loop = new ProbeLoop('liveness', fast, scripted([false, false, true, false, false, false]), (ok) =>
    changes.push(ok),
  );
  assert.ok(loop.ok);
  loop.start();
  await sleep(150);
  loop.stop();
  assert.equal(changes, [false]);
});

test('a passed startup probe stops probing', async () => {
  let calls = 0;
  const loop = new ProbeLoop(
    'startup',
    { periodSeconds: 0.01 },
    async () => ({ ok: ++calls > 0 }),
    () => {},
  );
  loop.start();
  await sleep(100);
  loop.stop();
  assert.is(calls, 1);
});

test.run();
