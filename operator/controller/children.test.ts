// Applying one resource's children: a call the API refuses reaches status and Events and is retried; an account the
// operator neither made nor was told to use is never used or bound; an account it made and no longer uses goes.
import type { KubernetesObject, V1Deployment, V1RoleBinding } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIELD_MANAGER } from '../../core/api/types.ts';
import { KubeApiError } from '../errors.ts';
import type { FakeKube } from '../kube/fake.ts';
import { findCondition } from '../status/conditions.ts';
import { cbOf, harness, NS } from './testkit.ts';

const DENIED =
  'apply Deployment shop/demo: 403 deployments.apps "demo" is forbidden: ValidatingAdmissionPolicy ' +
  "'no-deployments' with binding 'no-deployments' denied request: Deployments are not allowed here";

/** Makes the fake API refuse applies of one kind, as an admission policy would, until the returned function is called. */
function refuse(kube: FakeKube, kind: string, message: string): () => void {
  const real = kube.apply.bind(kube);
  kube.apply = (async (obj: KubernetesObject, force: boolean) => {
    if (obj.kind === kind) throw new KubeApiError(message, 403);
    return real(obj, force);
  }) as FakeKube['apply'];
  return () => {
    kube.apply = real;
  };
}

const subjects = (kube: FakeKube) =>
  kube.find<V1RoleBinding>('RoleBinding', NS, 'read-pods')?.subjects?.map((s) => s.name);

test('a Deployment the API refuses: ApplyFailed with its message, a Warning Event, status still written, retried', async () => {
  const h = harness();
  const allow = refuse(h.kube, 'Deployment', DENIED);
  h.kube.put(cbOf('demo'));
  const err = await h.run(`cb:${NS}/demo`).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, KubeApiError, 'the reconcile fails, so the queue retries it with backoff');
  await h.run(`rbac:${NS}`);
  await h.events.flush();
  const s = h.cb('demo').status;
  const c = findCondition(s?.conditions, 'ResourcesReady');
  assert.equal([c?.status, c?.reason, c?.message], ['False', 'ApplyFailed', DENIED]);
  assert.ok(h.kube.find('PodDisruptionBudget', NS, 'demo'), 'the PodDisruptionBudget needs no Deployment');
  assert.is(s?.observedGeneration, 1, 'status is written');
  assert.is(s?.phase, 'Pending', 'and observed');
  assert.ok(findCondition(s?.conditions, 'ContactPointsDiscovered'));
  assert.ok(h.kube.find('ServiceAccount', NS, 'demo'), 'the ServiceAccount before it is applied');
  const warning = h.kube.events.find((e) => e.reason === 'ApplyFailed');
  assert.equal([warning?.type, warning?.note], ['Warning', DENIED]);

  allow();
  await h.settle('demo');
  assert.ok(h.kube.find('Deployment', NS, 'demo'));
  assert.is(findCondition(h.cb('demo').status?.conditions, 'ResourcesReady')?.reason, 'Applied');
});

test('a ServiceAccount the API refuses: the Deployment waits for it, and the condition says so', async () => {
  const h = harness();
  const quota = 'apply ServiceAccount shop/demo: 403 exceeded quota: no-accounts, requested: count/serviceaccounts=1';
  refuse(h.kube, 'ServiceAccount', quota);
  h.kube.put(cbOf('demo'));
  await h.run(`cb:${NS}/demo`).catch(() => undefined);
  assert.not.ok(h.kube.calls.includes('apply Deployment demo'));
  const c = findCondition(h.cb('demo').status?.conditions, 'ResourcesReady');
  assert.is(c?.reason, 'ApplyFailed');
  assert.is(c?.message, `${quota}; Deployment demo is not applied until ServiceAccount demo is in place`);
});

test('a shared Role the API refuses reaches the condition of every resource of the namespace', async () => {
  const h = harness();
  const forbidden =
    'apply Role shop/pod-reader: 403 roles.rbac.authorization.k8s.io "pod-reader" is forbidden: user ' +
    '"system:serviceaccount:ops:pbo" is attempting to grant RBAC permissions not currently held';
  const allow = refuse(h.kube, 'Role', forbidden);
  h.kube.put(cbOf('demo'));
  await h.run(`cb:${NS}/demo`);
  const err = await h.run(`rbac:${NS}`).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, KubeApiError, 'retried with backoff');
  await h.run(`cb:${NS}/demo`);
  await h.events.flush();
  const c = findCondition(h.cb('demo').status?.conditions, 'ResourcesReady');
  assert.is(c?.reason, 'ApplyFailed');
  assert.is(c?.message, `${forbidden}; RoleBinding read-pods is not applied until Role pod-reader is`);
  assert.ok(h.kube.events.some((e) => e.reason === 'ApplyFailed' && e.note === forbidden));
  allow();
  await h.settle('demo');
  assert.is(findCondition(h.cb('demo').status?.conditions, 'ResourcesReady')?.reason, 'Applied');
});

test("an account of the resource's name that the operator did not make is never used or bound", async () => {
  const h = harness();
  // Every namespace has one: a resource named `default`.
  h.kube.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } });
  h.kube.put(cbOf('default'));
  h.kube.put(cbOf('other'));
  await h.settle('default', 'other');
  assert.not.ok(h.kube.find('Deployment', NS, 'default'), 'no pods run as a stranger account');
  assert.equal(subjects(h.kube), ['other'], 'and it is not bound');
  const c = findCondition(h.cb('default').status?.conditions, 'ResourcesReady');
  assert.is(c?.reason, 'Conflict');
  assert.match(c?.message ?? '', 'ServiceAccount default exists and is not managed by pekko-bootstrap-operator');
  assert.match(c?.message ?? '', 'set spec.serviceAccountName: default');
  assert.match(c?.message ?? '', 'Deployment default is not applied until ServiceAccount default is in place');

  // Told to use it: the conflict is resolved.
  const cb = h.cb('default');
  h.kube.put({
    ...cb,
    metadata: { ...cb.metadata, generation: 2 },
    spec: { ...cb.spec, serviceAccountName: 'default' },
  });
  await h.settle('default', 'other');
  const dep = h.kube.find<V1Deployment>('Deployment', NS, 'default');
  assert.is(dep?.spec?.template?.spec?.serviceAccountName, 'default');
  assert.equal(subjects(h.kube), ['default', 'other']);
  assert.is(findCondition(h.cb('default').status?.conditions, 'ResourcesReady')?.reason, 'Applied');
});

test('the ServiceAccount the operator made goes once spec.serviceAccountName is set and no pod runs as it', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'demo-abc',
      namespace: NS,
      labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER, 'app.kubernetes.io/instance': 'demo' },
    },
    spec: { serviceAccountName: 'demo', containers: [] },
  };
  h.kube.put(pod);
  const cb = h.cb('demo');
  h.kube.put({
    ...cb,
    metadata: { ...cb.metadata, generation: 2 },
    spec: { ...cb.spec, serviceAccountName: 'runner' },
  });
  await h.settle('demo');
  assert.is(h.kube.find<V1Deployment>('Deployment', NS, 'demo')?.spec?.template?.spec?.serviceAccountName, 'runner');
  assert.ok(h.kube.find('ServiceAccount', NS, 'demo'), 'kept while a pod still runs as it');
  assert.equal(subjects(h.kube), ['runner']);

  h.kube.remove('Pod', NS, 'demo-abc');
  await h.settle('demo');
  assert.not.ok(h.kube.find('ServiceAccount', NS, 'demo'), 'removed');
  assert.ok(h.reasons().includes('Deleted: Deleted ServiceAccount demo: no longer used by this ClusterBootstrap'));
  assert.is(findCondition(h.cb('demo').status?.conditions, 'ResourcesReady')?.reason, 'Applied');
});

test('an account of that name made for another resource, or by hand, is not removed', async () => {
  const h = harness();
  h.kube.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner', namespace: NS } });
  h.kube.put(cbOf('demo', { serviceAccountName: 'runner' }));
  h.kube.put(cbOf('runner'));
  await h.settle('demo', 'runner');
  assert.ok(h.kube.find('ServiceAccount', NS, 'runner'));
  assert.not.ok(h.kube.calls.some((c) => c.startsWith('delete ServiceAccount')));
});

test.run();
