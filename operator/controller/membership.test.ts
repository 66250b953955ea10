// An agent cluster's children beyond the seed's: its ClusterMembership and the Role and RoleBinding that let its
// ServiceAccount read that one object and write its status (docs/membership.md, "RBAC"); and the MembershipExclusive
// warning when two agent clusters share a ServiceAccount.
import type { V1Deployment, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterMembership } from '../../core/api/membership.ts';
import { findCondition } from '../status/conditions.ts';
import { cbOf, harness, NS } from './testkit.ts';

const agent = { image: 'pekko-bootstrap-agent:dev', workload: 'agent' };

test('an agent cluster: its ClusterMembership (no status), then Role and RoleBinding <name>-membership for its account, all before the Deployment, which names the record', async () => {
  const h = harness();
  h.kube.put(cbOf('demo', agent));
  await h.settle('demo');
  const own = h.kube.calls.filter((c) => !c.includes('pod-reader') && !c.includes('read-pods'));
  const applies = own.filter((c) => c.startsWith('apply '));
  // Every child missing from the cache is looked up at once, before the first apply.
  const firstApply = own.indexOf(applies[0] ?? '');
  assert.equal(own.slice(0, firstApply).filter((c) => c.startsWith('get ')).length, 6, own.join('; '));
  // Three rounds: what needs nothing; the RoleBinding (the account and the Role in place); the Deployment last.
  assert.equal(applies.slice(0, 6), [
    'apply ServiceAccount demo',
    'apply ClusterMembership demo',
    'apply Role demo-membership',
    'apply PodDisruptionBudget demo',
    'apply RoleBinding demo-membership',
    'apply Deployment demo',
  ]);
  const record = h.kube.find<ClusterMembership>('ClusterMembership', NS, 'demo');
  assert.ok(record, 'created');
  assert.is(record?.status, undefined, 'the operator writes no status');
  assert.ok(record?.metadata.ownerReferences?.some((o) => o.kind === 'ClusterBootstrap' && o.controller));
  const role = h.kube.find<V1Role>('Role', NS, 'demo-membership');
  assert.equal(role?.rules, [
    {
      apiGroups: ['bootstrap.pekko-operator.dev'],
      resources: ['clustermemberships'],
      resourceNames: ['demo'],
      verbs: ['get', 'watch'],
    },
    {
      apiGroups: ['bootstrap.pekko-operator.dev'],
      resources: ['clustermemberships/status'],
      resourceNames: ['demo'],
      verbs: ['update'],
    },
  ]);
  const binding = h.kube.find<V1RoleBinding>('RoleBinding', NS, 'demo-membership');
  assert.equal(binding?.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo-membership' });
  assert.equal(binding?.subjects, [{ kind: 'ServiceAccount', name: 'demo', namespace: NS }]);
  const env = h.kube.find<V1Deployment>('Deployment', NS, 'demo')?.spec?.template.spec?.containers[0]?.env ?? [];
  assert.equal(
    env.find((e) => e.name === 'AGENT_MEMBERSHIP_NAME'),
    { name: 'AGENT_MEMBERSHIP_NAME', value: 'demo' },
  );
  const ready = findCondition(h.cb('demo').status?.conditions, 'ResourcesReady');
  assert.equal([ready?.status, ready?.reason], ['True', 'Applied']);
  assert.match(ready?.message ?? '', /ClusterMembership demo and Role and RoleBinding demo-membership/);
});

test('a Pekko cluster gets none of them; a workload switched from agent to pekko loses them', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  assert.not.ok(h.kube.find('ClusterMembership', NS, 'demo'));
  assert.not.ok(h.kube.find('Role', NS, 'demo-membership'));
  assert.is(findCondition(h.cb('demo').status?.conditions, 'MembershipExclusive'), undefined);

  h.kube.put({ ...cbOf('demo', agent), metadata: { ...h.cb('demo').metadata, generation: 2 } });
  await h.settle('demo');
  assert.ok(h.kube.find('ClusterMembership', NS, 'demo'));
  assert.is(findCondition(h.cb('demo').status?.conditions, 'MembershipExclusive')?.status, 'True');

  h.kube.put({ ...cbOf('demo'), metadata: { ...h.cb('demo').metadata, generation: 3 } });
  await h.settle('demo');
  for (const [kind, name] of [
    ['ClusterMembership', 'demo'],
    ['Role', 'demo-membership'],
    ['RoleBinding', 'demo-membership'],
  ] as const) {
    assert.not.ok(h.kube.find(kind, NS, name), `${kind} ${name} deleted`);
    assert.ok(h.kube.calls.includes(`delete ${kind} ${name}`));
  }
  assert.ok(h.kube.find('Role', NS, 'pod-reader'), 'the shared Role stays');
  assert.is(findCondition(h.cb('demo').status?.conditions, 'MembershipExclusive'), undefined, 'removed');
});

test("a Role <name>-membership that is not the operator's: Conflict naming it, and the Deployment waits", async () => {
  const h = harness();
  h.put({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'demo-membership', namespace: NS },
  });
  h.kube.put(cbOf('demo', agent));
  await h.settle('demo');
  const c = findCondition(h.cb('demo').status?.conditions, 'ResourcesReady');
  assert.is(c?.reason, 'Conflict');
  assert.match(c?.message ?? '', /Role demo-membership/);
  assert.match(
    c?.message ?? '',
    /RoleBinding demo-membership, Deployment demo.* not applied until Role demo-membership is in place/,
  );
  assert.not.ok(h.kube.find('Deployment', NS, 'demo'));
  assert.not.ok(h.kube.find('RoleBinding', NS, 'demo-membership'), 'never bound to a stranger');
});

test('two agent clusters on one ServiceAccount: MembershipExclusive False on the later one, naming the first', async () => {
  const h = harness();
  h.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shared', namespace: NS } });
  const a = cbOf('first', { ...agent, serviceAccountName: 'shared' });
  a.metadata.creationTimestamp = new Date('2026-01-01T00:00:00Z');
  const b = cbOf('second', { ...agent, serviceAccountName: 'shared' });
  b.metadata.creationTimestamp = new Date('2026-01-01T00:00:05Z');
  const c = cbOf('third', agent);
  c.metadata.creationTimestamp = new Date('2026-01-01T00:00:09Z');
  for (const cb of [a, b, c]) h.kube.put(cb);
  await h.settle('first', 'second', 'third');
  const cond = (name: string) => findCondition(h.cb(name).status?.conditions, 'MembershipExclusive');
  assert.equal([cond('first')?.status, cond('first')?.reason], ['True', 'OwnServiceAccount']);
  assert.equal([cond('second')?.status, cond('second')?.reason], ['False', 'ServiceAccountShared']);
  assert.match(cond('second')?.message ?? '', /ServiceAccount shared, as those of ClusterBootstrap first/);
  assert.equal([cond('third')?.status, cond('third')?.reason], ['True', 'OwnServiceAccount']);
  // A warning: Ready does not depend on it.
  assert.is(findCondition(h.cb('second').status?.conditions, 'ResourcesReady')?.status, 'True');
  // Each binding names the shared account: this is what the condition warns about.
  for (const n of ['first', 'second']) {
    const binding = h.kube.find<V1RoleBinding>('RoleBinding', NS, `${n}-membership`);
    assert.equal(binding?.subjects?.[0]?.name, 'shared');
  }
});

test.run();
