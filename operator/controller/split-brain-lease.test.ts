// The reconcile with spec.splitBrainResolver, against the in-memory API: the Lease is created once and never
// written again, Pekko's writes do not make it foreign, the Role grants get and update on that Lease only, the status
// and LeaseReady follow the Lease, a Lease deleted by hand comes back, and a resource's deletion takes its Lease.
import type { V1Lease, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SplitBrainResolverSpec } from '../../core/api/split-brain.ts';
import { API_VERSION, type ClusterBootstrap, KIND } from '../../core/api/types.ts';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { FakeKube } from '../kube/fake.ts';
import { MemorySbrLeases } from '../kube/fake-sbr-leases.ts';
import { Lifecycle } from '../lifecycle/lifecycle.ts';
import { findCondition } from '../status/conditions.ts';
import type { ObserveInput, StatusObserver } from '../status/observer.ts';
import { makeClusterBootstrapReconciler } from './cluster-bootstrap.ts';
import { EventRecorder } from './event-recorder.ts';
import { RbacConflicts } from './rbac-state.ts';
import { LEASE_RECHECK_MS, SplitBrain } from './split-brain-lease.ts';
import { StatusWriter } from './status-writer.ts';

const log = pino({ level: 'silent' });
const NS = 'shop';
const LEASE = 'demo-pekko-sbr';

const cbOf = (sbr: Record<string, unknown> | null, extra: Record<string, unknown> = {}): ClusterBootstrap => ({
  apiVersion: API_VERSION,
  kind: KIND,
  metadata: { name: 'demo', namespace: NS, generation: 1 },
  spec: {
    image: 'registry.example/app:1',
    replicas: 3,
    ...(sbr ? { splitBrainResolver: sbr as unknown as SplitBrainResolverSpec } : {}),
    ...extra,
  },
});

function harness() {
  const kube = new FakeKube();
  const leases = new MemorySbrLeases();
  const clock = new FakeClock(Date.parse('2026-05-01T12:00:00Z'));
  const caches = kube.caches();
  // The pods' answers are not this test's subject: a cluster that formed.
  const observer: StatusObserver = {
    observe: (_: ObserveInput) => ({
      status: { phase: 'Formed', message: 'formed', contactPoints: [], readyContactPoints: 3, members: 3 },
      conditions: [],
      events: [],
      clusters: [],
      requeueAfterMs: 30_000,
    }),
    forget: () => {},
  };
  const events = new EventRecorder({ client: kube, clock, instance: 'op-0', log });
  const splitBrain = new SplitBrain({ leases, client: kube, caches, clock });
  const reconcile = makeClusterBootstrapReconciler({
    caches,
    client: kube,
    events,
    status: new StatusWriter(kube),
    observer,
    conflicts: new RbacConflicts(),
    clock,
    enqueueNamespaceRbac: () => {},
    lifecycle: new Lifecycle({ patcher: { patchPodAnnotations: async () => '' }, clock }),
    splitBrain,
  });
  const run = async () => {
    const r = await reconcile(`${NS}/demo`, { log, reconcileId: 't' });
    await events.flush();
    return r;
  };
  const cb = () => kube.find<ClusterBootstrap>(KIND, NS, 'demo') as ClusterBootstrap;
  const lease = () => leases.leases.get(`${NS}/${LEASE}`) as V1Lease;
  const reasons = () => kube.events.map((e) => e.reason);
  return { kube, leases, clock, run, cb, lease, reasons };
}

test('lease-majority: the Lease is created as Pekko creates it; a Role for exactly that Lease; status and LeaseReady', async () => {
  const h = harness();
  h.kube.put(cbOf({ strategy: 'lease-majority' }));
  const result = await h.run();
  assert.is(result?.requeueAfterMs, LEASE_RECHECK_MS, 'Leases are not watched: looked at again');
  const l = h.lease();
  assert.equal(l.spec?.holderIdentity, '', 'Pekko reads holderIdentity and acquireTime as required fields');
  assert.is(String(l.spec?.acquireTime), '2026-05-01T12:00:00.000000Z');
  assert.equal(
    l.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.controller]),
    [[KIND, 'demo', true]],
  );
  const role = h.kube.find<V1Role>('Role', NS, 'demo-sbr-lease');
  assert.equal(role?.rules, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [LEASE], verbs: ['get', 'update'] },
  ]);
  const rb = h.kube.find<V1RoleBinding>('RoleBinding', NS, 'demo-sbr-lease');
  assert.equal(rb?.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo-sbr-lease' });
  assert.equal(rb?.subjects, [{ kind: 'ServiceAccount', name: 'demo', namespace: NS }]);
  const s = h.cb().status;
  assert.equal(s?.splitBrainResolver, {
    strategy: 'lease-majority',
    lease: { name: LEASE, uid: l.metadata?.uid as string },
  });
  assert.is(findCondition(s?.conditions, 'LeaseReady')?.reason, 'Free');
});

test("the operator never writes the Lease again: Pekko takes it, drops the labels, and it stays the operator's", async () => {
  const h = harness();
  h.kube.put(cbOf({ strategy: 'lease-majority' }));
  await h.run();
  h.leases.pekkoWrite(NS, LEASE, 'demo@10.0.0.1:17355', '2026-05-01T12:00:01.000000Z');
  const written = structuredClone(h.lease());
  assert.is(written.metadata?.labels, undefined, "Pekko's PUT replaced the metadata");
  for (let i = 0; i < 3; i++) await h.run();
  assert.equal(h.lease(), written, 'untouched');
  assert.equal(
    h.leases.calls.filter((c) => !c.startsWith('read')),
    [`create ${LEASE}`],
  );
  const s = h.cb().status;
  assert.is(s?.splitBrainResolver?.lease?.holder, 'demo@10.0.0.1:17355');
  assert.is(s?.splitBrainResolver?.lease?.holderSince, '2026-05-01T12:00:01Z');
  assert.is(findCondition(s?.conditions, 'LeaseReady')?.reason, 'HolderGone', 'the fake has no pods');
  assert.ok(h.reasons().includes('LeaseHolderChanged'));
});

test("a Lease of that name that is not the operator's is reported and never written", async () => {
  const h = harness();
  h.leases.put({
    metadata: { name: LEASE, namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'someone-else' } },
    spec: { holderIdentity: '' },
  });
  const before = structuredClone(h.lease());
  h.kube.put(cbOf({ strategy: 'lease-majority' }));
  await h.run();
  await h.run();
  assert.equal(h.lease(), before);
  assert.equal(
    h.leases.calls.filter((c) => !c.startsWith('read')),
    [],
  );
  const c = findCondition(h.cb().status?.conditions, 'LeaseReady');
  assert.equal([c?.status, c?.reason], ['False', 'Conflict']);
  assert.is(h.cb().status?.splitBrainResolver?.lease?.uid, undefined);
  assert.equal(h.reasons().filter((r) => r === 'LeaseConflict').length, 1);
});

test('a Lease deleted by hand is created again, reported as Recreated', async () => {
  const h = harness();
  h.kube.put(cbOf({ strategy: 'lease-majority' }));
  await h.run();
  const first = h.lease().metadata?.uid;
  h.leases.leases.delete(`${NS}/${LEASE}`);
  await h.run();
  assert.is.not(h.lease().metadata?.uid, first);
  assert.is(h.cb().status?.splitBrainResolver?.lease?.uid, h.lease().metadata?.uid);
  assert.is(findCondition(h.cb().status?.conditions, 'LeaseReady')?.reason, 'Recreated');
  assert.ok(h.reasons().includes('LeaseRecreated'));
});

test('the create refused (403): LeaseMissing, no crash; paused: not created', async () => {
  const h = harness();
  h.kube.put(cbOf({ strategy: 'lease-majority' }));
  h.leases.failWith = 403;
  const failed = await h.run().then(
    () => 'no error',
    (err: Error) => err.message,
  );
  assert.match(failed, /403/, 'a failed read throws: the reconcile is retried with backoff');
  h.leases.failWith = undefined;
  const create = h.leases.create.bind(h.leases);
  h.leases.create = () => Promise.reject(Object.assign(new Error('create Lease: 403 forbidden'), { status: 403 }));
  await h.run();
  const c = findCondition(h.cb().status?.conditions, 'LeaseReady');
  assert.equal([c?.status, c?.reason], ['False', 'LeaseMissing']);
  assert.match(c?.message ?? '', '403 forbidden');
  h.leases.create = create;

  const p = harness();
  p.kube.put(cbOf({ strategy: 'lease-majority' }, { paused: true }));
  await p.run();
  assert.is(p.leases.leases.size, 0);
  assert.match(findCondition(p.cb().status?.conditions, 'LeaseReady')?.message ?? '', 'paused');
});

test('another strategy: no Lease, no Role; leaving lease-majority removes the Role, the RoleBinding and LeaseReady', async () => {
  const h = harness();
  h.kube.put(cbOf({ strategy: 'lease-majority' }));
  await h.run();
  assert.ok(h.kube.find('Role', NS, 'demo-sbr-lease'));
  const cb = h.cb();
  h.kube.put({ ...cb, spec: { ...cb.spec, splitBrainResolver: { strategy: 'keep-majority' } } });
  await h.run();
  assert.not.ok(h.kube.find('Role', NS, 'demo-sbr-lease'));
  assert.not.ok(h.kube.find('RoleBinding', NS, 'demo-sbr-lease'));
  assert.equal(h.cb().status?.splitBrainResolver, { strategy: 'keep-majority' });
  assert.is(findCondition(h.cb().status?.conditions, 'LeaseReady'), undefined);
  const c2 = h.cb();
  h.kube.put({ ...c2, spec: { ...c2.spec, splitBrainResolver: undefined } });
  await h.run();
  assert.is(h.cb().status?.splitBrainResolver, undefined);
  assert.ok(h.lease(), 'a Lease the pods may still hold is left');
});

test("a resource deleted: its Lease goes, if it is still the operator's", async () => {
  const h = harness();
  h.kube.put(cbOf({ strategy: 'lease-majority' }));
  await h.run();
  h.kube.remove(KIND, NS, 'demo');
  await h.run();
  assert.is(h.leases.leases.size, 0);

  const o = harness();
  o.kube.put(cbOf({ strategy: 'lease-majority' }));
  await o.run();
  // Someone replaced it meanwhile: the uid precondition keeps theirs.
  o.leases.leases.delete(`${NS}/${LEASE}`);
  o.leases.put({ metadata: { name: LEASE, namespace: NS }, spec: {} });
  o.kube.remove(KIND, NS, 'demo');
  await o.run();
  assert.is(o.leases.leases.size, 1);
});

test.run();
