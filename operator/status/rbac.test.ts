import type { V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { podListDenied, rbacMessage } from './rbac.ts';

const role = (verbs = ['get', 'watch', 'list']): V1Role => ({
  metadata: { name: 'pod-reader', namespace: 'shop' },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});
const binding = (subjects: V1RoleBinding['subjects'], roleName = 'pod-reader'): V1RoleBinding => ({
  metadata: { name: 'read-pods', namespace: 'shop' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
  subjects,
});
const sa = (name: string, namespace?: string) => ({
  kind: 'ServiceAccount',
  name,
  ...(namespace ? { namespace } : {}),
});

test('bound: the binding names the account and the Role lists pods', () => {
  assert.is(
    podListDenied({ role: role(), roleBinding: binding([sa('other', 'shop'), sa('demo', 'shop')]) }, 'demo', 'shop'),
    undefined,
  );
  // A subject without a namespace means the binding's namespace.
  assert.is(podListDenied({ role: role(), roleBinding: binding([sa('demo')]) }, 'demo', 'shop'), undefined);
  assert.is(podListDenied({ role: role(['*']), roleBinding: binding([sa('demo')]) }, 'demo', 'shop'), undefined);
});

test('missing or wrong binding: named', () => {
  assert.is(
    podListDenied({ role: role(), roleBinding: undefined }, 'demo', 'shop'),
    'RoleBinding read-pods is missing',
  );
  assert.is(
    podListDenied({ role: role(), roleBinding: binding([sa('other', 'shop')]) }, 'demo', 'shop'),
    'RoleBinding read-pods does not bind ServiceAccount demo',
  );
  assert.is(
    podListDenied({ role: role(), roleBinding: binding([sa('demo', 'elsewhere')]) }, 'demo', 'shop'),
    'RoleBinding read-pods does not bind ServiceAccount demo',
  );
  assert.match(
    podListDenied({ role: role(), roleBinding: binding([sa('demo')], 'admin') }, 'demo', 'shop') ?? '',
    'refers to Role admin, not Role pod-reader',
  );
  const deleting = binding([sa('demo')]);
  deleting.metadata = { ...deleting.metadata, deletionTimestamp: new Date() };
  assert.match(podListDenied({ role: role(), roleBinding: deleting }, 'demo', 'shop') ?? '', 'being deleted');
});

test('missing Role, or a Role without list on pods', () => {
  assert.is(
    podListDenied({ role: undefined, roleBinding: binding([sa('demo')]) }, 'demo', 'shop'),
    'Role pod-reader is missing',
  );
  assert.is(
    podListDenied({ role: role(['get', 'watch']), roleBinding: binding([sa('demo')]) }, 'demo', 'shop'),
    'Role pod-reader does not allow list on pods',
  );
});

test('the message names the account, the 403 and the log line to look for', () => {
  const m = rbacMessage('RoleBinding read-pods is missing', 'demo', 'shop');
  assert.match(m, /^RBAC: RoleBinding read-pods is missing/);
  assert.match(m, 'ServiceAccount demo cannot list pods in namespace shop');
  assert.match(m, 'Role pod-reader and RoleBinding read-pods in shop');
  assert.match(m, 'kubectl auth can-i list pods -n shop --as=system:serviceaccount:shop:demo');
  assert.match(m, '403 Forbidden');
  assert.match(m, 'Check RBAC settings');
  const granted = rbacMessage(undefined, 'demo', 'shop');
  assert.match(granted, /^RBAC: no Role or ClusterRole bound to ServiceAccount demo allows list on pods/);
});

test.run();
