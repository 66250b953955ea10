// Reconcile against the in-memory FakeKube: what is applied, what is left alone, what status and events say.
import type { V1Deployment, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIELD_MANAGER, KIND } from '../../core/api/types.ts';
import { findCondition } from '../status/conditions.ts';
import type { ObserveInput } from '../status/observer.ts';
import { cbOf, harness, NS } from './testkit.ts';

test('apply: Deployment, ServiceAccount, Role and RoleBinding with labels and owner references; status ready', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const uid = h.cb('demo').metadata.uid;
  const dep = h.kube.find<V1Deployment>('Deployment', NS, 'demo');
  assert.ok(dep, 'Deployment');
  assert.is(dep?.metadata?.labels?.['app.kubernetes.io/managed-by'], FIELD_MANAGER);
  assert.equal(
    dep?.metadata?.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]),
    [[KIND, uid, true]],
  );
  assert.ok(h.kube.find('ServiceAccount', NS, 'demo'), 'ServiceAccount');
  const role = h.kube.find<V1Role>('Role', NS, 'pod-reader');
  assert.equal(role?.rules?.[0]?.verbs, ['get', 'watch', 'list']);
  assert.equal(
    role?.metadata?.ownerReferences?.map((r) => [r.uid, r.controller]),
    [[uid, false]],
  );
  const rb = h.kube.find<V1RoleBinding>('RoleBinding', NS, 'read-pods');
  assert.equal(rb?.subjects, [{ kind: 'ServiceAccount', name: 'demo', namespace: NS }]);
  const s = h.cb('demo').status;
  assert.is(s?.requiredContactPoints, 3);
  assert.is(s?.observedGeneration, 1);
  assert.is(s?.selector, 'app=demo,app.kubernetes.io/instance=demo');
  const ready = findCondition(s?.conditions, 'ResourcesReady');
  assert.is(ready?.status, 'True');
  assert.is(ready?.reason, 'Applied');
  assert.ok(
    h.reasons().includes('Created: Created ServiceAccount demo, Deployment demo, PodDisruptionBudget demo'),
    'one event for all',
  );
  assert.ok(h.reasons().includes('Created: Created Role pod-reader, RoleBinding read-pods'));
});

test('the ServiceAccount is applied before the Deployment, so its ReplicaSet never creates pods without it', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const applies = h.kube.calls.filter((c) => c.startsWith('apply '));
  assert.ok(applies.indexOf('apply ServiceAccount demo') >= 0, applies.join(', '));
  assert.ok(
    applies.indexOf('apply ServiceAccount demo') < applies.indexOf('apply Deployment demo'),
    applies.join(', '),
  );
});

test('a second pass with nothing changed makes no API write', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const calls = h.kube.calls.length;
  await h.run(`cb:${NS}/demo`);
  await h.run(`rbac:${NS}`);
  assert.equal(h.kube.calls.slice(calls), []);
});

test('a child edited by hand is repaired, and the repair is reported', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const dep = h.kube.find<V1Deployment>('Deployment', NS, 'demo') as V1Deployment;
  h.kube.put({ ...dep, spec: { ...dep.spec, replicas: 7 } as V1Deployment['spec'] });
  const role = h.kube.find<V1Role>('Role', NS, 'pod-reader') as V1Role;
  h.kube.put({ ...role, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list', 'delete'] }] });
  await h.settle('demo');
  assert.is(h.kube.find<V1Deployment>('Deployment', NS, 'demo')?.spec?.replicas, 3);
  assert.equal(h.kube.find<V1Role>('Role', NS, 'pod-reader')?.rules?.[0]?.verbs, ['get', 'watch', 'list']);
  assert.ok(h.reasons().some((r) => r.startsWith('Repaired: Repaired Deployment demo')));
  assert.ok(h.reasons().some((r) => r.startsWith('Repaired: Repaired Role pod-reader')));
});

test('a deleted child is recreated', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  h.kube.remove('ServiceAccount', NS, 'demo');
  h.kube.remove('RoleBinding', NS, 'read-pods');
  await h.settle('demo');
  assert.ok(h.kube.find('ServiceAccount', NS, 'demo'));
  assert.ok(h.kube.find('RoleBinding', NS, 'read-pods'));
});

test('a Deployment whose selector must change (immutable) is deleted and created again with the new one', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const cb = h.cb('demo');
  h.kube.put({ ...cb, metadata: { ...cb.metadata, generation: 2 }, spec: { ...cb.spec, serviceName: 'shop' } });
  await h.run(`cb:${NS}/demo`);
  assert.ok(h.kube.calls.includes('delete Deployment demo'), 'the API server refused the apply: delete');
  assert.not.ok(h.kube.find('Deployment', NS, 'demo'));
  await h.settle('demo');
  const dep = h.kube.find<V1Deployment>('Deployment', NS, 'demo');
  assert.equal(dep?.spec?.selector?.matchLabels, { app: 'shop', 'app.kubernetes.io/instance': 'demo' });
});

test('an invalid spec: a condition with the messages, an Event, no children', async () => {
  const h = harness();
  h.kube.put(cbOf('bad', { replicas: -1, bootstrap: { stableMargin: 'soon' } }));
  await h.settle('bad');
  assert.is(h.kube.count('apply'), 0);
  const c = findCondition(h.cb('bad').status?.conditions, 'ResourcesReady');
  assert.is(c?.status, 'False');
  assert.is(c?.reason, 'InvalidSpec');
  assert.match(c?.message ?? '', /spec\.replicas/);
  assert.match(c?.message ?? '', /spec\.bootstrap\.stableMargin/);
  assert.ok(h.reasons().some((r) => r.startsWith('InvalidSpec: spec.replicas')));
  await h.settle('bad');
  assert.is(h.kube.events.length, 1, 'the same event is not sent again');
});

test('paused: no applies, the condition says Paused, status still reported', async () => {
  const h = harness();
  h.kube.put(cbOf('demo', { paused: true }));
  await h.settle('demo');
  assert.equal(
    h.kube.calls.filter((c) => c.startsWith('apply') && !c.includes('Role')),
    [],
  );
  const c = findCondition(h.cb('demo').status?.conditions, 'ResourcesReady');
  assert.is(c?.reason, 'Paused');
  assert.is(h.cb('demo').status?.phase, 'Pending');
});

test('an object of the same name the operator does not manage is left alone and reported', async () => {
  const h = harness();
  h.kube.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo', namespace: NS },
    spec: { replicas: 1 },
  });
  h.kube.put({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'pod-reader', namespace: NS },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
  });
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  assert.not.ok(h.kube.calls.includes('apply Deployment demo'));
  assert.not.ok(h.kube.calls.includes('apply Role pod-reader'));
  assert.is(h.kube.find<V1Deployment>('Deployment', NS, 'demo')?.spec?.replicas, 1);
  assert.equal(h.kube.find<V1Role>('Role', NS, 'pod-reader')?.rules?.[0]?.resources, ['secrets']);
  const c = findCondition(h.cb('demo').status?.conditions, 'ResourcesReady');
  assert.is(c?.reason, 'Conflict');
  assert.match(c?.message ?? '', /Deployment demo exists and is not managed/);
  assert.match(c?.message ?? '', /Role pod-reader exists and is not managed/);
  assert.ok(h.reasons().some((r) => r.startsWith('Conflict: Role pod-reader')));
  assert.not.ok(h.kube.find('RoleBinding', NS, 'read-pods'), 'nothing is bound to a Role the operator does not own');
  const result = await h.run(`cb:${NS}/demo`);
  assert.equal(result, { requeueAfterMs: 30_000 }, 'the conflict is looked at again later');
});

test('the shared RBAC is left alone while every resource of the namespace is paused, and kept while one is not', async () => {
  const h = harness();
  h.kube.put(cbOf('a'));
  h.kube.put(cbOf('b'));
  await h.settle('a', 'b');
  assert.ok(h.kube.find('RoleBinding', NS, 'read-pods'));
  h.kube.put({ ...h.cb('a'), spec: { ...h.cb('a').spec, paused: true } });
  h.kube.remove('RoleBinding', NS, 'read-pods');
  await h.run(`rbac:${NS}`);
  assert.ok(h.kube.find('RoleBinding', NS, 'read-pods'), 'b is not paused: the binding is repaired');
  h.kube.put({ ...h.cb('b'), spec: { ...h.cb('b').spec, paused: true } });
  h.kube.remove('RoleBinding', NS, 'read-pods');
  await h.run(`rbac:${NS}`);
  assert.not.ok(h.kube.find('RoleBinding', NS, 'read-pods'), 'all paused: the hand edit stays');
  assert.ok(h.kube.find('Role', NS, 'pod-reader'), 'and nothing is deleted either');
});

test('two resources share Role and RoleBinding; deleting one drops its subject; deleting the last removes both', async () => {
  const h = harness();
  h.kube.put(cbOf('a'));
  h.kube.put(cbOf('b', { serviceAccountName: 'existing-sa' }));
  await h.settle('a', 'b');
  let rb = h.kube.find<V1RoleBinding>('RoleBinding', NS, 'read-pods');
  assert.equal(
    rb?.subjects?.map((s) => s.name),
    ['a', 'existing-sa'],
  );
  assert.is(rb?.metadata?.ownerReferences?.length, 2);
  assert.not.ok(h.kube.find('ServiceAccount', NS, 'existing-sa'), 'a named account is not created');
  for (const n of ['a', 'b']) {
    assert.is(findCondition(h.cb(n).status?.conditions, 'ResourcesReady')?.status, 'True', n);
  }
  h.kube.remove(KIND, NS, 'a');
  await h.run(`cb:${NS}/a`);
  await h.run(`rbac:${NS}`);
  rb = h.kube.find<V1RoleBinding>('RoleBinding', NS, 'read-pods');
  assert.equal(
    rb?.subjects?.map((s) => s.name),
    ['existing-sa'],
  );
  assert.is(rb?.metadata?.ownerReferences?.length, 1);
  h.kube.remove(KIND, NS, 'b');
  await h.run(`cb:${NS}/b`);
  await h.run(`rbac:${NS}`);
  assert.not.ok(h.kube.find('RoleBinding', NS, 'read-pods'));
  assert.not.ok(h.kube.find('Role', NS, 'pod-reader'));
});

test('requiredContactPoints is fixed at the first reconcile: scaling later does not change what pods get', async () => {
  const h = harness();
  h.kube.put(cbOf('demo', { replicas: 3 }));
  await h.settle('demo');
  const cb = h.cb('demo');
  h.kube.put({ ...cb, metadata: { ...cb.metadata, generation: 2 }, spec: { ...cb.spec, replicas: 5 } });
  await h.settle('demo');
  const dep = h.kube.find<V1Deployment>('Deployment', NS, 'demo');
  assert.is(dep?.spec?.replicas, 5);
  assert.is(h.cb('demo').status?.requiredContactPoints, 3);
  const env = JSON.stringify(dep?.spec?.template?.spec?.containers);
  assert.match(env, /required-contact-point-nr=3/);
  assert.is(h.cb('demo').status?.observedGeneration, 2);
});

test('requiredContactPoints survives a lost status: it is read back from the live Deployment', async () => {
  const h = harness();
  h.kube.put(cbOf('demo', { replicas: 3 }));
  await h.settle('demo');
  const cb = h.cb('demo');
  // Restored from a backup without status, then scaled.
  h.kube.put({
    ...cb,
    metadata: { ...cb.metadata, generation: 2 },
    spec: { ...cb.spec, replicas: 5 },
    status: undefined,
  });
  const restarted = harness({ kube: h.kube });
  await restarted.settle('demo');
  assert.is(restarted.cb('demo').status?.requiredContactPoints, 3);
  const dep = restarted.kube.find<V1Deployment>('Deployment', NS, 'demo');
  assert.is(dep?.spec?.replicas, 5);
  assert.match(JSON.stringify(dep?.spec?.template?.spec?.containers), /required-contact-point-nr=3/);
});

test('a resource created with replicas 0 fixes requiredContactPoints at its first non-zero replica count', async () => {
  const h = harness();
  h.kube.put(cbOf('demo', { replicas: 0 }));
  await h.settle('demo');
  assert.is(h.cb('demo').status?.requiredContactPoints, undefined, 'nothing fixed yet');
  const env = () =>
    JSON.stringify(h.kube.find<V1Deployment>('Deployment', NS, 'demo')?.spec?.template?.spec?.containers);
  assert.not.match(env(), /required-contact-point-nr/, 'and nothing handed to the (no) pods');
  for (const [generation, replicas] of [
    [2, 3],
    [3, 5],
  ]) {
    const cb = h.cb('demo');
    h.kube.put({ ...cb, metadata: { ...cb.metadata, generation }, spec: { ...cb.spec, replicas } });
    await h.settle('demo');
  }
  assert.is(h.cb('demo').status?.requiredContactPoints, 3);
  assert.match(env(), /required-contact-point-nr=3/);
});

test('status is written only when it changes, and lastTransitionTime only moves with the status', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const writes = h.kube.count('status');
  const t0 = findCondition(h.cb('demo').status?.conditions, 'ResourcesReady')?.lastTransitionTime;
  await h.clock.advance(120_000);
  await h.settle('demo');
  assert.is(h.kube.count('status'), writes);
  const dep = h.kube.find<V1Deployment>('Deployment', NS, 'demo') as V1Deployment;
  h.kube.put({ ...dep, status: { replicas: 3, readyReplicas: 2 } });
  await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), writes + 1);
  assert.is(h.cb('demo').status?.readyReplicas, 2);
  assert.is(findCondition(h.cb('demo').status?.conditions, 'ResourcesReady')?.lastTransitionTime, t0);
});

test('the Events the observer returns are recorded on the resource; it gets the status as last written', async () => {
  const seen: ObserveInput[] = [];
  // The cache lags: it never shows the operator's own status writes in this test.
  const h = harness({
    cacheLag: true,
    observe: (input) => {
      seen.push(input);
      const formed = seen.length > 1;
      return {
        status: {
          phase: formed ? 'Formed' : 'Forming',
          message: formed ? 'formed' : 'forming',
          contactPoints: [],
          readyContactPoints: 0,
        },
        conditions: [],
        events: formed
          ? [{ type: 'Normal', reason: 'Formed', note: 'cluster formed around pekko://demo@10.0.0.1:1' }]
          : [],
        requeueAfterMs: 1000,
      };
    },
  });
  h.kube.put(cbOf('demo'));
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.is(seen[0]?.previous, undefined, 'nothing written before the first pass');
  await h.run(`cb:${NS}/demo`);
  await h.events.flush();
  assert.is(seen[1]?.previous?.phase, 'Forming', 'the first pass wrote Forming; the cache does not have it yet');
  assert.is(h.cb('demo').status?.phase, 'Formed');
  const formed = h.kube.events.find((e) => e.reason === 'Formed');
  assert.is(formed?.note, 'cluster formed around pekko://demo@10.0.0.1:1');
  assert.is(formed?.action, 'Observe');
  assert.is(formed?.regarding?.name, 'demo');
});

test.run();
