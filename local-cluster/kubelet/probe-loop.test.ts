import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProbeLoop } from './probe-loop.ts';

// periods of 10 ms (fractions of a second are fine for the loop; the API only allows whole seconds)
const fast = { periodSeconds: 0.01, failureThreshold: 3, successThreshold: 2 };

/** Probe results in order (the last one repeats); `done` resolves once every scripted result was used. */
function scripted(results: boolean[]) {
  let i = 0;
  let used: () => void = () => {};
  const done = new Promise<void>((r) => {
    used = r;
  });
  const attempt = async () => {
    const ok = results[Math.min(i++, results.length - 1)] ?? false;
    if (i >= results.length) used();
    return { ok, message: 'x' };
  };
  return { attempt, done };
}

/** Waits for `p` on a loaded machine too, but not forever. */
const within = (p: Promise<unknown>, ms = 10000) =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`not within ${ms} ms`)))]);

test('readiness starts failed and needs successThreshold passes in a row', async () => {
  const changes: boolean[] = [];
  let failures = 0;
  const probe = scripted([true, false, true, true]);
  const loop = new ProbeLoop(
    'readiness',
    fast,
    probe.attempt,
    (ok) => changes.push(ok),
    () => failures++,
  );
  assert.not.ok(loop.ok);
  loop.start();
  await within(probe.done);
  await sleep(30); // a few more (passing) attempts change nothing
  loop.stop();
  assert.equal(changes, [true], 'one flip, after two passes in a row');
  assert.is(failures, 1);
});

test('liveness starts passed and fails after failureThreshold failures in a row', async () => {
  const changes: boolean[] = [];
  const probe = scripted([false, false, true, false, false, false]);
  const loop = new ProbeLoop('liveness', fast, probe.attempt, (ok) => changes.push(ok));
  assert.ok(loop.ok);
  loop.start();
  await within(probe.done);
  await sleep(30);
  loop.stop();
  assert.equal(changes, [false]);
});

test('a passed startup probe stops probing', async () => {
  let calls = 0;
  let called: () => void = () => {};
  const first = new Promise<void>((r) => {
    called = r;
  });
  const loop = new ProbeLoop(
    'startup',
    { periodSeconds: 0.01 },
    async () => {
      called();
      return { ok: ++calls > 0 };
    },
    () => {},
  );
  loop.start();
  await within(first);
  await sleep(100); // ten periods: no second attempt
  loop.stop();
  assert.is(calls, 1);
});

test.run();
