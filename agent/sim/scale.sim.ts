// 200 members in the simulation, within a memory bound: formation (required contact points = 200, every pod probing
// every other, as Pekko's bootstrap does), the join storm on one record (409s and retries), a steady minute, and a
// member killed. The fake clock drops cleared timers at once, so the heap holds only live ones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENV } from '../config.ts';
import { Sim } from './harness.ts';
import { logsOf } from './kit.ts';

const N = Number(process.env.SIM_MEMBERS ?? 200);
/** Heap after the run, and peak RSS: the bound this scenario holds (4 GB were exhausted by the peer protocol). */
const MAX_HEAP_MB = 1024;

test(`${N} members form one cluster, stay quiet, and remove a dead member, within ${MAX_HEAP_MB} MB of heap`, async () => {
  const started = Date.now();
  const sim = new Sim({
    seed: 200,
    env: { [ENV.requiredContactPointNr]: String(N) },
    logLevel: 'info',
    keepLogs: true,
  });
  const names = Array.from({ length: N }, (_, i) => `pod-${i}`);
  for (const name of names) sim.addPod(name, Math.floor(sim.random() * 10_000));
  assert.ok(await sim.run(300_000, () => sim.converged(names)), 'formed');
  const formedAt = sim.t;
  const forming = { ...sim.api.counts };
  await sim.run(30_000);
  const before = { ...sim.api.counts };
  await sim.run(60_000);
  const steady = { get: (sim.api.counts.get - before.get) / N, put: (sim.api.counts.put - before.put) / N };
  const victim = sim.live()[N - 1];
  if (!victim) return;
  sim.kill(victim.name, true);
  const rest = names.filter((n) => n !== victim.name);
  assert.ok(await sim.run(60_000, () => sim.converged(rest)), 'the dead member removed');
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(
    [
      `${N} members: formed at ${(formedAt / 1000).toFixed(1)} s simulated (${Date.now() - started} ms real so far)`,
      `while forming: ${forming.get} reads, ${forming.put} writes, ${forming.conflict} conflicts, ${forming.list} pod lists`,
      `steady minute per member: ${steady.get} reads, ${steady.put} writes`,
      `timers pending ${sim.clock.pending}; heap ${heapMb} MB, rss ${rssMb} MB`,
    ].join('\n'),
  );
  assert.is(steady.put, 0, 'no write in steady state');
  assert.ok(steady.get <= 7, `${steady.get} reads per member per minute`);
  assert.is(logsOf(sim, 'formed a new cluster').length, 1);
  assert.ok(heapMb < MAX_HEAP_MB, `heap ${heapMb} MB`);
  assert.ok(sim.clock.pending < 20 * N, `${sim.clock.pending} timers pending`);
});

test.run();
