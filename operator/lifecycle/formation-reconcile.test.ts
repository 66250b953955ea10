// Formation safety through the real reconcile against the in-memory FakeKube, with a scripted observer and a fake
// clock: new-cluster-enabled off only with the next template change after formation, the formation record in status
// and on the Deployment, a full outage that ends in a cold start (a new revision, strategy Recreate until one
// cluster formed, Events), Manual, and a status lost in the middle of an outage.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  API_VERSION,
  type ClusterBootstrap,
  FIELD_MANAGER,
  FORMATION_ANNOTATION,
  KIND,
  type Phase,
} from '../../core/api/types.ts';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { harness as controllerHarness, NS } from '../controller/testkit.ts';
import { INSTANCE_LABEL, MANAGED_BY_LABEL } from '../render/index.ts';
import type { NodeAnswer, PodView } from '../status/compute.ts';
import { findCondition } from '../status/conditions.ts';

const node = (i: number) => `pekko://demo@10.0.0.${i}:17355`;
const NCE = 'pekko.management.cluster.bootstrap.new-cluster-enabled';

function harness() {
  let phase: Phase = 'Forming';
  let seedNode: string | undefined;
  let views: PodView[] = [];
  const h = controllerHarness({
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    patcher: { patchPodAnnotations: async () => '1' },
    observe: () => ({
      status: {
        phase,
        message: `observed ${phase}`,
        contactPoints: [],
        readyContactPoints: 0,
        ...(seedNode ? { seedNode } : {}),
      },
      conditions: [
        { type: 'ClusterFormed', status: 'False', reason: 'Forming', message: `observed ${phase}` },
        { type: 'Ready', status: 'False', reason: 'Forming', message: `observed ${phase}` },
      ],
      events: [],
      requeueAfterMs: 2000,
      views,
    }),
  });
  const { kube, clock } = h;
  const run = async () => {
    const r = await h.run(`cb:${NS}/demo`);
    await h.events.flush();
    return r;
  };
  const cb = () => h.cb('demo');
  const deployment = () => kube.find<V1Deployment>('Deployment', NS, 'demo') as V1Deployment;
  const java = () =>
    deployment().spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS')?.value ?? '';
  const setSpec = (spec: Partial<ClusterBootstrap['spec']>) => h.setSpec('demo', spec);
  /** Pods p<i> created from the Deployment's template as it is now, running; their answers as given. */
  const podsNow = (ids: number[], answer: (i: number) => NodeAnswer) => {
    for (const o of [...kube.objects.values()]) if (o.kind === 'Pod') kube.remove('Pod', NS, o.metadata?.name ?? '');
    const template = deployment().spec?.template;
    for (const i of ids) {
      kube.put<V1Pod>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `p${i}`,
          namespace: NS,
          labels: { [INSTANCE_LABEL]: 'demo', [MANAGED_BY_LABEL]: FIELD_MANAGER },
        },
        spec: structuredClone(template?.spec) as V1Pod['spec'],
        status: {
          phase: 'Running',
          podIP: `10.0.0.${i}`,
          containerStatuses: [
            { name: 'app', image: 'a', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
          ],
        },
      });
    }
    views = ids.map((i) => ({
      contactPoint: { pod: `p${i}`, host: `10.0.0.${i}`, port: 7626, ready: false },
      answer: answer(i),
    }));
  };
  const alone = (i: number): NodeAnswer => ({
    selfNode: node(i),
    seedNodes: [],
    members: { list: [], unreachable: [] },
  });
  const member = (i: number): NodeAnswer => ({
    selfNode: node(i),
    seedNodes: [node(1)],
    members: { list: [1, 2, 3].map((m) => ({ node: node(m), status: 'Up' })), unreachable: [], oldest: node(1) },
  });
  const observe = (p: Phase, seed?: string) => {
    phase = p;
    seedNode = seed;
  };
  const reasons = () => kube.events.map((e) => `${e.type} ${e.reason}`);
  return { kube, clock, run, cb, deployment, java, setSpec, podsNow, alone, member, observe, reasons };
}

function create(h: ReturnType<typeof harness>, spec: Record<string, unknown> = {}) {
  h.kube.put<ClusterBootstrap>({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'demo', namespace: NS, generation: 1 },
    spec: { image: 'app:1', replicas: 3, bootstrap: { requiredContactPoints: 3 }, ...spec },
  });
}

/** Formed around p1 on revision 1, then an image change: revision 2, whose pods may only join. */
async function formedThenChanged(h: ReturnType<typeof harness>, spec: Record<string, unknown> = {}) {
  create(h, spec);
  await h.run();
  h.podsNow([1, 2, 3], h.member);
  h.observe('Formed', node(1));
  await h.run();
  h.setSpec({ image: 'app:2' });
  await h.run();
}

test('after formation: recorded, then handed off only with the next template change; a scale rolls nothing', async () => {
  const h = harness();
  create(h);
  await h.run();
  assert.is(h.cb().status?.podTemplate?.newClusterEnabled, true);
  assert.match(h.java(), `-D${NCE}=on`);
  h.podsNow([1, 2, 3], h.member);
  h.observe('Formed', node(1));
  await h.run();
  assert.equal(h.cb().status?.formation, { formedAt: '2026-01-01T00:00:00Z', seedNode: node(1) });
  const template = JSON.stringify(h.deployment().spec?.template);
  assert.match(h.java(), `-D${NCE}=on`, 'formation alone changes no pod');
  await h.clock.advance(5000);
  await h.run();
  assert.equal(JSON.parse(h.deployment().metadata?.annotations?.[FORMATION_ANNOTATION] ?? '{}'), {
    formedAt: '2026-01-01T00:00:00Z',
    seedNode: node(1),
  });
  h.setSpec({ replicas: 4 });
  await h.run();
  assert.is(JSON.stringify(h.deployment().spec?.template), template, 'a scale: the same template');
  assert.is(h.cb().status?.podTemplate?.revision, 1);
  h.setSpec({ image: 'app:2' });
  await h.run();
  assert.equal([h.cb().status?.podTemplate?.revision, h.cb().status?.podTemplate?.newClusterEnabled], [2, false]);
  assert.match(h.java(), `-D${NCE}=off`);
  assert.is(h.deployment().spec?.strategy?.type, 'RollingUpdate');
});

test('a full outage: MembersGone, a cold start after the bound (revision 3, Recreate), completed when formed', async () => {
  const h = harness();
  await formedThenChanged(h);
  h.podsNow([4, 5, 6], h.alone);
  h.observe('Forming');
  await h.run();
  let s = h.cb().status;
  assert.is(s?.formation?.membersGoneSince, '2026-01-01T00:00:00Z');
  assert.is(findCondition(s?.conditions, 'ClusterFormed')?.reason, 'MembersGone');
  assert.match(s?.message ?? '', 'every member of the cluster formed around');
  await h.clock.advance(59_000);
  await h.run();
  assert.is(h.cb().status?.podTemplate?.revision, 2, 'not yet');
  await h.clock.advance(1000);
  await h.run();
  s = h.cb().status;
  assert.ok(s?.formation?.coldStart?.startedAt);
  assert.is(findCondition(s?.conditions, 'Ready')?.reason, 'ColdStart');
  assert.ok(h.reasons().includes('Warning ColdStart'), h.reasons().join());
  await h.run();
  s = h.cb().status;
  assert.equal([s?.podTemplate?.revision, s?.podTemplate?.newClusterEnabled], [3, true]);
  assert.is(s?.formation?.coldStart?.revision, 3);
  assert.match(h.java(), `-D${NCE}=on`);
  assert.is(h.deployment().spec?.strategy?.type, 'Recreate', 'every pod replaced at once');
  await h.run();
  assert.is(h.cb().status?.podTemplate?.revision, 3, 'one new revision, not one per pass');
  // The new pods form.
  await h.clock.advance(20_000);
  h.podsNow([7, 8, 9], h.member);
  h.observe('Formed', node(7));
  await h.run();
  s = h.cb().status;
  assert.is(s?.formation?.coldStart?.completedAt, '2026-01-01T00:01:20Z');
  assert.equal([s?.formation?.formedAt, s?.formation?.seedNode], ['2026-01-01T00:01:20Z', node(7)]);
  assert.ok(h.reasons().includes('Normal ColdStartCompleted'));
  assert.is(s?.formation?.membersGoneSince, undefined, 'the count is gone from the stored status too');
  await h.run();
  assert.is(h.deployment().spec?.strategy?.type, 'RollingUpdate', "the user's strategy back, rolling nothing");
  assert.equal(h.deployment().spec?.strategy?.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
  assert.is(h.cb().status?.podTemplate?.revision, 3);
  // The next change hands off again.
  h.setSpec({ image: 'app:3' });
  await h.run();
  assert.equal([h.cb().status?.podTemplate?.revision, h.cb().status?.podTemplate?.newClusterEnabled], [4, false]);
});

test('no cold start while a member answers, however long the others are silent', async () => {
  const h = harness();
  await formedThenChanged(h);
  h.podsNow([4, 5, 6], (i) => (i === 6 ? h.member(i) : h.alone(i)));
  for (let i = 0; i < 10; i++) {
    await h.clock.advance(60_000);
    await h.run();
  }
  assert.is(h.cb().status?.podTemplate?.revision, 2);
  assert.is(h.cb().status?.formation?.coldStart, undefined);
  assert.not.ok(h.reasons().includes('Warning ColdStart'));
});

test('Manual: the message says what to do, no new revision; Automatic then cold-starts at once', async () => {
  const h = harness();
  await formedThenChanged(h, { formation: { coldStart: 'Manual', coldStartAfter: '20s' } });
  h.podsNow([4, 5, 6], h.alone);
  h.observe('Forming');
  await h.run();
  await h.clock.advance(20_000);
  await h.run();
  const s = h.cb().status;
  assert.is(findCondition(s?.conditions, 'ClusterFormed')?.reason, 'ColdStartRequired');
  assert.match(s?.message ?? '', 'spec.formation.coldStart is Manual');
  assert.match(s?.message ?? '', 'kubectl patch cb/demo -n shop');
  assert.is(s?.podTemplate?.revision, 2);
  assert.ok(h.reasons().includes('Warning ColdStartRequired'));
  h.setSpec({ formation: { coldStart: 'Automatic', coldStartAfter: '20s' } });
  await h.run();
  await h.run();
  assert.equal([h.cb().status?.podTemplate?.revision, h.deployment().spec?.strategy?.type], [3, 'Recreate']);
});

test('status lost during the outage: the Deployment still says it formed; the cold start comes all the same', async () => {
  const h = harness();
  await formedThenChanged(h);
  await h.run(); // the formation annotation
  h.podsNow([4, 5, 6], h.alone);
  h.observe('Forming');
  const c = h.cb();
  h.kube.put({ ...c, status: undefined });
  await h.run();
  assert.is(h.cb().status?.formation?.seedNode, node(1), 'from the annotation');
  assert.is(h.cb().status?.podTemplate?.newClusterEnabled, false, 'the revision from the annotation, no roll');
  await h.clock.advance(60_000);
  await h.run();
  await h.run();
  assert.is(h.deployment().spec?.strategy?.type, 'Recreate');
});

test("strategy Recreate (the user's): every revision may form, since no member survives its rollout", async () => {
  const h = harness();
  await formedThenChanged(h, { strategy: { type: 'Recreate' } });
  assert.equal([h.cb().status?.podTemplate?.revision, h.cb().status?.podTemplate?.newClusterEnabled], [2, true]);
});

test.run();
