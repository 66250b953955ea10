import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import { FakeKube } from '../kube/fake.ts';
import type { ObservedCluster } from '../status/compute.ts';
import { EventRecorder } from './event-recorder.ts';
import { SplitRepair } from './split-repair.ts';
import { cbOf, log, podOf } from './testkit.ts';

const node = (ip: string) => `pekko://demo@${ip}:17355`;
const A: ObservedCluster = {
  seed: node('10.0.0.1'),
  members: [node('10.0.0.1'), node('10.0.0.2')],
  pods: ['a1', 'a2'],
  unreachable: [],
};
const B: ObservedCluster = { seed: node('10.0.0.3'), members: [node('10.0.0.3')], pods: ['b1'], unreachable: [] };

function setup(enabled: boolean) {
  const kube = new FakeKube();
  const clock = new FakeClock();
  const events = new EventRecorder({ client: kube, clock, instance: 'op-0', log });
  const repair = new SplitRepair({ client: kube, events, clock });
  const cb = kube.put(cbOf('demo', { splitRepair: { enabled } }));
  const r = resolve(cb, cb.spec);
  const created = new Date(clock.now() - 600_000);
  const pods = [podOf('a1', 'demo', '10.0.0.1'), podOf('a2', 'demo', '10.0.0.2'), podOf('b1', 'demo', '10.0.0.3')].map(
    (p) => kube.put({ ...p, metadata: { ...p.metadata, creationTimestamp: created } }),
  );
  const run = (clusters: ObservedCluster[], phase: 'Degraded' | 'Formed', current: V1Pod[] = pods) =>
    repair.run({ cb, r, clusters, phase, pods: current, log });
  const reasons = async () => {
    await flush();
    return kube.events.map((e) => e.reason);
  };
  return { kube, clock, run, pods, reasons };
}

test('off (the default): a split is left alone', async () => {
  const s = setup(false);
  await s.run([A, B], 'Degraded');
  assert.is(s.kube.count('delete'), 0);
  assert.equal(await s.reasons(), []);
});

test("on: Started before, the smaller cluster's pod deleted, one at a time, Completed once Formed", async () => {
  const s = setup(true);
  await s.run([A, B], 'Degraded');
  assert.equal(
    s.kube.calls.filter((c) => c.startsWith('delete')),
    ['delete Pod b1'],
  );
  assert.equal(await s.reasons(), ['SplitRepairStarted', 'SplitRepairPodDeleted']);
  const started = s.kube.events[0];
  assert.is(started?.type, 'Warning');
  assert.match(started?.note ?? '', `keeping the one around ${A.seed} (2 Up members, pods a1, a2)`);
  assert.match(s.kube.events[1]?.note ?? '', `deleted pod b1 of the cluster around ${B.seed}`);

  // The cache still shows b1 alive: no second deletion.
  await s.run([A, B], 'Degraded');
  assert.is(s.kube.count('delete'), 1);

  // b1 gone, its replacement not created yet: the cache holds a1 and a2 only, both members, Formed: not done.
  await s.clock.advance(1000);
  await s.run([A], 'Formed', [s.pods[0] as V1Pod, s.pods[1] as V1Pod]);
  assert.equal(await s.reasons(), ['SplitRepairStarted', 'SplitRepairPodDeleted']);

  // Its replacement created, not joined yet: one cluster and Formed, but not done.
  await s.clock.advance(2000);
  const alone = [s.pods[0] as V1Pod, s.pods[1] as V1Pod, podOf('b1-new', 'demo', '10.0.0.4')].map((p) => ({
    ...p,
    metadata: { ...p.metadata, creationTimestamp: new Date(s.clock.now()) },
  }));
  await s.run([A], 'Formed', alone);
  assert.equal(await s.reasons(), ['SplitRepairStarted', 'SplitRepairPodDeleted']);

  // b1's replacement joined A: one cluster, Formed.
  await s.clock.advance(4000);
  const joined = { ...A, pods: ['a1', 'a2', 'b1-new'] };
  await s.run([joined], 'Formed', alone);
  assert.equal(await s.reasons(), ['SplitRepairStarted', 'SplitRepairPodDeleted', 'SplitRepairCompleted']);
  assert.match(s.kube.events[2]?.note ?? '', `one cluster again around ${A.seed} after restarting 1 pod in 7 s`);
  await s.run([joined], 'Formed');
  assert.is(s.kube.events.length, 3, 'Completed once');
});

test('a refused deletion is a Warning Event, not a failed reconcile', async () => {
  const s = setup(true);
  s.kube.delete = async () => {
    throw new Error('403 pods "b1" is forbidden');
  };
  await s.run([A, B], 'Degraded');
  assert.equal(await s.reasons(), ['SplitRepairStarted', 'SplitRepairFailed']);
  assert.match(s.kube.events[1]?.note ?? '', 'could not delete pod b1: 403');
});

test.run();
