// A resource whose spec the operator rejects (the API server accepted it) or that is paused is frozen: its
// Deployment stays exactly as it was, and read-pods keeps the account it bound for it, as the binding remembers it,
// also across a restart of the operator. Its status says why, for this generation.
import type { V1Deployment, V1RoleBinding } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { findCondition } from '../status/conditions.ts';
import { cbOf, harness, NS } from './testkit.ts';

type Harness = ReturnType<typeof harness>;

/** The resource as the API server stores an edit: the spec changed, the generation one up. */
function edit(h: Harness, name: string, spec: (s: ClusterBootstrap['spec']) => ClusterBootstrap['spec']) {
  const cb = h.cb(name);
  h.kube.put({
    ...cb,
    metadata: { ...cb.metadata, generation: (cb.metadata.generation ?? 1) + 1 },
    spec: spec(cb.spec),
  });
}

const subjects = (h: Harness) =>
  h.kube.find<V1RoleBinding>('RoleBinding', NS, 'read-pods')?.subjects?.map((s) => s.name);
const appImage = { template: { spec: { containers: [{ name: 'app', image: 'registry.example/other:2' }] } } };

test('a rejected edit freezes the Deployment and keeps the account bound, also after an operator restart', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  const before = h.kube.find<V1Deployment>('Deployment', NS, 'demo');
  edit(h, 'demo', (s) => ({ ...s, replicas: 5, ...appImage }));
  await h.settle('demo');

  assert.equal(h.kube.find<V1Deployment>('Deployment', NS, 'demo'), before, 'the Deployment is left exactly as it was');
  assert.equal(subjects(h), ['demo'], 'read-pods still binds the pods of the frozen Deployment');
  assert.ok(h.kube.find('Role', NS, 'pod-reader'), 'pod-reader stays');
  const status = h.cb('demo').status;
  for (const type of ['ResourcesReady', 'Ready']) {
    const c = findCondition(status?.conditions, type);
    assert.equal([c?.status, c?.reason, c?.observedGeneration], ['False', 'InvalidSpec', 2], type);
    assert.match(c?.message ?? '', 'spec.template.spec.containers[0].image');
  }
  assert.is(status?.observedGeneration, 2);

  // A new operator process: nothing in memory, the binding remembers.
  const restarted = harness({ kube: h.kube });
  await restarted.settle('demo');
  await restarted.run(`rbac:${NS}`);
  assert.equal(subjects(restarted), ['demo']);
  assert.equal(restarted.kube.find<V1Deployment>('Deployment', NS, 'demo'), before);

  edit(restarted, 'demo', (s) => ({ ...s, template: undefined }));
  await restarted.settle('demo');
  assert.is(restarted.kube.find<V1Deployment>('Deployment', NS, 'demo')?.spec?.replicas, 5, 'fixed: applied again');
  assert.is(findCondition(restarted.cb('demo').status?.conditions, 'ResourcesReady')?.reason, 'Applied');
  assert.equal(subjects(restarted), ['demo']);
});

test('a frozen resource keeps its remembered account while another resource changes the binding', async () => {
  const h = harness();
  h.kube.put(cbOf('a'));
  h.kube.put(cbOf('b', { serviceAccountName: 'b-runner' }));
  h.kube.put(cbOf('c', { serviceAccountName: 'c-runner' }));
  await h.settle('a', 'b', 'c');
  assert.equal(subjects(h), ['a', 'b-runner', 'c-runner']);
  // a: rejected by the operator; b: paused, then told to use another account; c: moves to another account.
  edit(h, 'a', (s) => ({ ...s, template: { metadata: { labels: { app: 'x' } } } }));
  edit(h, 'b', (s) => ({ ...s, paused: true }));
  await h.settle('a', 'b');
  edit(h, 'b', (s) => ({ ...s, serviceAccountName: 'b-other' }));
  edit(h, 'c', (s) => ({ ...s, serviceAccountName: 'c-other' }));
  await h.settle('a', 'b', 'c');
  assert.equal(subjects(h), ['a', 'b-runner', 'c-other']);
  const rb = h.kube.find<V1RoleBinding>('RoleBinding', NS, 'read-pods');
  assert.equal(rb?.metadata?.ownerReferences?.map((o) => o.name).sort(), ['a', 'b', 'c']);
  assert.is(findCondition(h.cb('a').status?.conditions, 'Ready')?.reason, 'InvalidSpec');
  assert.match(
    findCondition(h.cb('a').status?.conditions, 'Ready')?.message ?? '',
    'spec.template.metadata.labels.app',
  );
});

test('a resource never applied has nothing to keep: an invalid one alone makes no RBAC', async () => {
  const h = harness();
  h.kube.put(cbOf('bad', { template: { metadata: { labels: { app: 'x' } } } }));
  await h.settle('bad');
  assert.not.ok(h.kube.find('RoleBinding', NS, 'read-pods'));
  assert.not.ok(h.kube.find('Deployment', NS, 'bad'));
});

test.run();
