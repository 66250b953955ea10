// The lifecycle features through the real reconcile against the in-memory FakeKube: the pod template revision in
// status and on the Deployment, the scale-down's steps, the deletion-cost patches and their condition, the
// PodDisruptionBudget switch. The pods' answers come from a scripted observer.
import type { V1Deployment, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  API_VERSION,
  type ClusterBootstrap,
  FIELD_MANAGER,
  KIND,
  TEMPLATE_REVISION_ANNOTATION,
} from '../../core/api/types.ts';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { harness as controllerHarness, NS } from '../controller/testkit.ts';
import { KubeApiError } from '../errors.ts';
import { FakeKube } from '../kube/fake.ts';
import type { PodPatcher } from '../kube/pod-patcher.ts';
import { INSTANCE_LABEL, MANAGED_BY_LABEL } from '../render/index.ts';
import type { PodView } from '../status/compute.ts';
import { findCondition } from '../status/conditions.ts';
import { POD_DELETION_COST } from './deletion-cost.ts';

const node = (i: number) => `pekko://demo@10.0.0.${i}:17355`;

function harness() {
  const kube = new FakeKube();
  const clock = new FakeClock();
  let views: PodView[] = [];
  let forbidden = false;
  const patches: string[] = [];
  const patcher: PodPatcher = {
    async patchPodAnnotations(namespace, name, annotations) {
      patches.push(`${name} ${annotations[POD_DELETION_COST]}`);
      if (forbidden) throw new KubeApiError('patch: 403 forbidden', 403);
      const p = kube.find<V1Pod>('Pod', namespace, name) as V1Pod;
      const merged: Record<string, string> = { ...p.metadata?.annotations };
      for (const [k, v] of Object.entries(annotations)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      return kube.put({ ...p, metadata: { ...p.metadata, annotations: merged } }).metadata?.resourceVersion ?? '';
    },
  };
  const h = controllerHarness({
    kube,
    clock,
    patcher,
    observe: () => ({
      status: { phase: 'Formed', message: 'formed', contactPoints: [], readyContactPoints: 0 },
      conditions: [],
      events: [],
      requeueAfterMs: 30_000,
      views,
    }),
  });
  const run = async () => {
    const r = await h.run(`cb:${NS}/demo`);
    await h.events.flush();
    return r;
  };
  const cb = () => h.cb('demo');
  const deployment = () => kube.find<V1Deployment>('Deployment', NS, 'demo') as V1Deployment;
  const setSpec = (spec: Partial<ClusterBootstrap['spec']>) => h.setSpec('demo', spec);
  /** The Deployment and ReplicaSet controllers have caught up: `live` pods p1..p<live> (others terminating). */
  const controllersAt = (replicas: number, pods: number[], terminating: number[] = []) => {
    const d = deployment();
    kube.put({
      ...d,
      status: { observedGeneration: d.metadata?.generation ?? 1, replicas: pods.length, readyReplicas: pods.length },
    });
    for (const o of kube.objects.values()) if (o.kind === 'Pod') kube.remove('Pod', NS, o.metadata?.name ?? '');
    for (const i of [...pods, ...terminating]) {
      kube.put<V1Pod>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `p${i}`,
          namespace: NS,
          uid: `u${i}`,
          labels: { [INSTANCE_LABEL]: 'demo', [MANAGED_BY_LABEL]: FIELD_MANAGER },
          creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, i)),
          ...(terminating.includes(i) ? { deletionTimestamp: new Date() } : {}),
        },
        status: { podIP: `10.0.0.${i}` },
      });
    }
    assert.is(d.spec?.replicas, replicas, 'the Deployment as the test expects it');
  };
  /** Every pod in `pods` answers that `members` are Up, the lowest one oldest. */
  const answer = (pods: number[], members = pods) => {
    views = pods.map((i) => ({
      contactPoint: { pod: `p${i}`, host: `10.0.0.${i}`, port: 7626, ready: true },
      answer: {
        selfNode: node(i),
        seedNodes: [],
        members: {
          list: members.map((m) => ({ node: node(m), status: 'Up' })),
          unreachable: [],
          oldest: node(Math.min(...members)),
        },
      },
    }));
  };
  const reasons = () => kube.events.map((e) => `${e.reason}: ${e.note}`);
  return {
    kube,
    clock,
    run,
    cb,
    deployment,
    setSpec,
    controllersAt,
    answer,
    reasons,
    patches,
    forbid: (f: boolean) => (forbidden = f),
  };
}

function create(h: ReturnType<typeof harness>, spec: Record<string, unknown> = {}) {
  h.kube.put<ClusterBootstrap>({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'demo', namespace: NS, generation: 1 },
    spec: { image: 'app:1', replicas: 5, ...spec },
  });
}

test('the pod template revision: 1 at creation, kept on scale, +1 on an image change, kept through a lost status', async () => {
  const h = harness();
  // requiredContactPoints set: a lost status would otherwise fix it again from the replicas (a template change).
  create(h, { bootstrap: { requiredContactPoints: 3 } });
  await h.run();
  assert.equal(h.cb().status?.podTemplate?.revision, 1);
  assert.equal(h.cb().status?.podTemplate?.appVersion, '1');
  const ann = () => JSON.parse(h.deployment().metadata?.annotations?.[TEMPLATE_REVISION_ANNOTATION] ?? '{}');
  assert.equal(ann(), h.cb().status?.podTemplate);
  h.setSpec({ replicas: 7 });
  await h.run();
  assert.is(h.cb().status?.podTemplate?.revision, 1, 'a scale is not a template change');
  h.setSpec({ image: 'app:2' });
  await h.run();
  assert.is(h.cb().status?.podTemplate?.revision, 2);
  assert.match(JSON.stringify(h.deployment().spec?.template), '-Dpekko.cluster.app-version=2');
  // Status lost (a restore without status): the Deployment's annotation carries the revision on.
  const c = h.cb();
  h.kube.put({ ...c, status: undefined });
  await h.run();
  assert.is(h.cb().status?.podTemplate?.revision, 2);
  h.setSpec({ image: 'app:1' });
  await h.run();
  assert.is(h.cb().status?.podTemplate?.revision, 3, 'a rollback is a new revision: the app version only rises');
});

test('scale 5 to 3: the Deployment goes 5, 4, 3, each step once the previous leaver is gone; status shows progress', async () => {
  const h = harness();
  create(h);
  await h.run();
  h.controllersAt(5, [1, 2, 3, 4, 5]);
  h.answer([1, 2, 3, 4, 5]);
  await h.run();
  h.setSpec({ replicas: 3 });
  await h.run(); // decides the first step (the Deployment is settled at 5)
  assert.equal(h.cb().status?.scaleDown?.target, 3);
  assert.equal(h.cb().status?.scaleDown?.replicas, 4);
  await h.run(); // renders it
  assert.is(h.deployment().spec?.replicas, 4);
  await h.run();
  assert.is(h.deployment().spec?.replicas, 4, 'nothing more before the controllers act');
  h.controllersAt(4, [1, 2, 3, 4], [5]);
  await h.run();
  assert.match(h.cb().status?.scaleDown?.waitingFor ?? '', 'pod p5 to finish leaving');
  h.controllersAt(4, [1, 2, 3, 4]);
  await h.run();
  assert.match(h.cb().status?.scaleDown?.waitingFor ?? '', 'gone from the other members');
  h.answer([1, 2, 3, 4]);
  await h.run();
  await h.run();
  assert.is(h.deployment().spec?.replicas, 3);
  h.controllersAt(3, [1, 2, 3]);
  h.answer([1, 2, 3]);
  await h.run();
  assert.is(h.cb().status?.scaleDown, undefined, 'done');
  assert.equal(
    h.reasons().filter((r) => /Scale/.test(r)),
    [
      'ScaleDownStep: replicas 5 → 4 (target 3): one member leaves at a time',
      'ScaleDownStep: replicas 4 → 3 (target 3): one member leaves at a time',
      'ScaledDown: scaled down to 3, one member at a time',
    ],
  );
});

test("a replica count raised by hand on the Deployment is repaired at once: it is drift, not the cluster's size", async () => {
  const h = harness();
  create(h);
  await h.run();
  h.controllersAt(5, [1, 2, 3, 4, 5]);
  const d = h.deployment();
  h.kube.put({ ...d, spec: { ...d.spec, replicas: 9 } as V1Deployment['spec'] });
  await h.run();
  assert.is(h.deployment().spec?.replicas, 5);
  assert.is(h.cb().status?.scaleDown, undefined);
});

test('stepwiseScaleDown false: the Deployment takes spec.replicas at once', async () => {
  const h = harness();
  create(h, { lifecycle: { stepwiseScaleDown: false } });
  await h.run();
  h.controllersAt(5, [1, 2, 3, 4, 5]);
  h.setSpec({ replicas: 2 });
  await h.run();
  assert.is(h.deployment().spec?.replicas, 2);
  assert.is(h.cb().status?.scaleDown, undefined);
});

test('deletion cost: the 3 oldest are patched once; the condition says so; Ready stays as observed', async () => {
  const h = harness();
  create(h);
  await h.run();
  h.controllersAt(5, [1, 2, 3, 4, 5]);
  h.answer([1, 2, 3, 4, 5]);
  await h.run();
  assert.equal(h.patches, ['p1 10000', 'p2 9900', 'p3 9800']);
  await h.run();
  await h.run();
  assert.is(h.patches.length, 3, 'no patch per pass');
  const c = findCondition(h.cb().status?.conditions, 'DeletionCostApplied');
  assert.is(c?.status, 'True');
  assert.match(c?.message ?? '', 'p1 10000 (oldest)');
});

test('without patch pods: DeletionCostApplied False, Forbidden; the children and the rest of status as usual', async () => {
  const h = harness();
  create(h);
  h.forbid(true);
  await h.run();
  h.controllersAt(5, [1, 2, 3, 4, 5]);
  h.answer([1, 2, 3, 4, 5]);
  const result = await h.run();
  const c = findCondition(h.cb().status?.conditions, 'DeletionCostApplied');
  assert.is(c?.reason, 'Forbidden');
  assert.is(h.deployment().spec?.replicas, 5);
  assert.is(h.cb().status?.phase, 'Formed');
  assert.ok((result?.requeueAfterMs ?? Infinity) <= 2000, 'the patch is retried soon');
});

test('podDisruptionBudget: created by default, deleted when turned off', async () => {
  const h = harness();
  create(h);
  await h.run();
  const pdb = h.kube.find<V1PodDisruptionBudget>('PodDisruptionBudget', NS, 'demo');
  assert.is(pdb?.spec?.maxUnavailable, 1);
  h.setSpec({ lifecycle: { podDisruptionBudget: false } });
  await h.run();
  assert.not.ok(h.kube.find('PodDisruptionBudget', NS, 'demo'));
  assert.ok(
    h.reasons().some((r) => r.startsWith('Deleted: Deleted PodDisruptionBudget demo')),
    h.reasons().join('\n'),
  );
  await h.run();
  assert.is(h.kube.count('delete'), 1, 'deleted once');
});

test('the grace period: 90 s for Pekko unless the template sets one', async () => {
  const h = harness();
  create(h);
  await h.run();
  assert.is(h.deployment().spec?.template.spec?.terminationGracePeriodSeconds, 90);
  h.setSpec({ template: { spec: { terminationGracePeriodSeconds: 20, containers: [] } } });
  await h.run();
  assert.is(h.deployment().spec?.template.spec?.terminationGracePeriodSeconds, 20);
});

test.run();
