import type { KubernetesObject, V1RoleBinding } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { API_VERSION, FIELD_MANAGER, KIND } from '../../core/api/types.ts';
import { INSTANCE_LABEL, MANAGED_BY_LABEL, SUBJECTS_ANNOTATION } from '../render/index.ts';
import { EventKeyMap } from './event-keys.ts';
import { WATCHED } from './kinds.ts';

const labels = { [MANAGED_BY_LABEL]: FIELD_MANAGER, [INSTANCE_LABEL]: 'demo' };
const ref = (name: string, controller = false) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  name,
  uid: `uid-${name}`,
  controller,
});
const owned = (kind: string, name: string): KubernetesObject => ({
  kind,
  metadata: { name, namespace: 'ns', labels, ownerReferences: [ref('demo', true)] },
});
/** read-pods binding each owner's account `<owner>-sa`. */
const readPods = (owners: string[], extra: Partial<V1RoleBinding> = {}): V1RoleBinding => ({
  kind: 'RoleBinding',
  metadata: {
    name: 'read-pods',
    namespace: 'ns',
    labels,
    ownerReferences: owners.map((o) => ref(o)),
    annotations: { [SUBJECTS_ANNOTATION]: JSON.stringify(Object.fromEntries(owners.map((o) => [o, `${o}-sa`]))) },
  },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
  subjects: owners.map((o) => ({ kind: 'ServiceAccount', name: `${o}-sa`, namespace: 'ns' })),
  ...extra,
});

test('a ClusterBootstrap brings itself, at every event and at resync, but not at its own status write', () => {
  const mine = new Set(['7']);
  const map = new EventKeyMap({ isOwnStatusWrite: (o) => mine.has(o.metadata?.resourceVersion ?? '') });
  const cb = (rv: string) => ({ kind: KIND, metadata: { name: 'demo', namespace: 'ns', resourceVersion: rv } });
  for (const e of ['add', 'update', 'delete', 'resync'] as const) {
    assert.equal(map.keys(WATCHED.ClusterBootstrap, e, cb('6')), { clusterBootstraps: ['ns/demo'] });
  }
  assert.equal(map.keys(WATCHED.ClusterBootstrap, 'update', cb('7')), { clusterBootstraps: [] }, 'own write');
  assert.equal(map.keys(WATCHED.ClusterBootstrap, 'resync', cb('7')), { clusterBootstraps: ['ns/demo'] });
});

test("a ServiceAccount coming or going brings its resource and the namespace's RBAC; an update only the resource", () => {
  const map = new EventKeyMap();
  const sa = owned('ServiceAccount', 'demo');
  assert.equal(map.keys(WATCHED.ServiceAccount, 'add', sa), { clusterBootstraps: ['ns/demo'], namespaceRbac: 'ns' });
  assert.equal(map.keys(WATCHED.ServiceAccount, 'delete', sa), { clusterBootstraps: ['ns/demo'], namespaceRbac: 'ns' });
  assert.equal(map.keys(WATCHED.ServiceAccount, 'update', sa), { clusterBootstraps: ['ns/demo'] });
  assert.equal(map.keys(WATCHED.ServiceAccount, 'resync', sa), { clusterBootstraps: [] });
  assert.equal(map.keys(WATCHED.Deployment, 'add', owned('Deployment', 'demo')), { clusterBootstraps: ['ns/demo'] });
});

test('read-pods brings the namespace RBAC always, and only the owners whose part of it changed', () => {
  const map = new EventKeyMap();
  const rb = WATCHED.RoleBinding;
  const keys = (e: 'add' | 'update' | 'delete', o: KubernetesObject) => map.keys(rb, e, o);
  assert.equal(keys('add', readPods(['a', 'b'])), { clusterBootstraps: ['ns/a', 'ns/b'], namespaceRbac: 'ns' });
  assert.equal(
    keys('update', readPods(['a', 'b', 'c'])),
    { clusterBootstraps: ['ns/c'], namespaceRbac: 'ns' },
    'c joined',
  );
  assert.equal(keys('update', readPods(['a', 'c'])), { clusterBootstraps: ['ns/b'], namespaceRbac: 'ns' }, 'b left');
  assert.equal(keys('update', readPods(['a', 'c'])), { clusterBootstraps: [], namespaceRbac: 'ns' }, 'no change');
  const handEdited = readPods(['a', 'c']);
  handEdited.subjects = handEdited.subjects?.filter((s) => s.name !== 'a-sa');
  assert.equal(keys('update', handEdited), { clusterBootstraps: ['ns/a'], namespaceRbac: 'ns' }, 'a unbound by hand');
  const unlabelled = readPods(['a', 'c']);
  unlabelled.metadata = { ...unlabelled.metadata, labels: {} };
  assert.equal(keys('update', unlabelled), { clusterBootstraps: ['ns/a', 'ns/c'], namespaceRbac: 'ns' }, 'label gone');
  assert.equal(keys('delete', unlabelled), { clusterBootstraps: ['ns/a', 'ns/c'], namespaceRbac: 'ns' });
  assert.equal(keys('update', readPods(['a'])), { clusterBootstraps: ['ns/a'], namespaceRbac: 'ns' }, 'unknown: all');
});

test("an agent cluster's own <name>-membership RoleBinding brings its owner at any change (its pass repairs it)", () => {
  const map = new EventKeyMap();
  const own = owned('RoleBinding', 'demo-membership');
  assert.equal(map.keys(WATCHED.RoleBinding, 'add', own), { clusterBootstraps: ['ns/demo'], namespaceRbac: 'ns' });
  assert.equal(map.keys(WATCHED.RoleBinding, 'update', own), { clusterBootstraps: ['ns/demo'], namespaceRbac: 'ns' });
});

test.run();
