// The observer as the reconcile uses it: the pods' account checked with a review (not the cache), the diagnosis on
// ClusterFormed, and the per-cluster gauges the chart's alerts and dashboard read.
import type { V1Pod, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import { cbOf, podOf } from '../controller/testkit.ts';
import { probingObserver } from './observer.ts';

const cb = cbOf('demo', { replicas: 2 });
const r = resolve(cb, cb.spec);
const pods: V1Pod[] = [podOf('demo-a', 'demo', '10.0.0.1'), podOf('demo-b', 'demo', '10.0.0.2')].map((p) => ({
  ...p,
  spec: { ...p.spec, serviceAccountName: 'demo', containers: p.spec?.containers ?? [] },
}));
const binding = (subjects: string[]): V1RoleBinding => ({
  metadata: { name: 'read-pods', resourceVersion: '7' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
  subjects: subjects.map((name) => ({ kind: 'ServiceAccount', name })),
});
const role: V1Role = {
  metadata: { name: 'pod-reader', resourceVersion: '6' },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
};

function setup(allowed: boolean) {
  const registry = new Registry();
  const enqueued: string[] = [];
  const reviewed: string[] = [];
  const clock = new FakeClock();
  const observer = probingObserver({
    get: () => Promise.reject(new Error('connect ECONNREFUSED')),
    clock,
    enqueue: (k) => enqueued.push(k),
    registry,
    reviewPodList: async (ns, sa) => {
      reviewed.push(`${ns}/${sa}`);
      return { allowed };
    },
  });
  const observe = (roleBinding: V1RoleBinding | undefined) =>
    observer.observe({
      r,
      previous: undefined,
      deployment: undefined,
      pods,
      childrenReady: true,
      sharedRbac: { role, roleBinding },
    });
  /** Observes, lets the review answer, and observes again once a denial may be confirmed (3 s later). */
  const settle = async (roleBinding: V1RoleBinding | undefined) => {
    observe(roleBinding);
    await flush();
    await clock.advance(3000);
    observe(roleBinding);
    await flush();
  };
  return { observe, settle, enqueued, reviewed, registry };
}

const formed = (o: { conditions: { type: string; reason: string; message: string }[] }) =>
  o.conditions.find((c) => c.type === 'ClusterFormed');

test("the review's denial, not the cache: PodListForbidden naming the account, namespace and fix", async () => {
  const s = setup(false);
  const first = s.observe(binding(['demo']));
  assert.is.not(formed(first)?.reason, 'PodListForbidden', 'no answer yet: nothing said');
  await s.settle(binding(['demo']));
  assert.equal(s.reviewed, ['shop/demo', 'shop/demo'], 'the account the pods run as, confirmed once');
  assert.ok(s.enqueued.includes('shop/demo'), 'the answer asks for another look');
  const second = s.observe(binding(['demo']));
  assert.is(formed(second)?.reason, 'PodListForbidden', 'the cache says bound, the API server says no');
  assert.match(second.status.message, 'no Role or ClusterRole bound to ServiceAccount demo allows list on pods');
  assert.match(second.status.message, 'cannot list pods in namespace shop');
  assert.match(second.status.message, 'Role pod-reader and RoleBinding read-pods in shop');
});

test('a grant the cache cannot see (a ClusterRoleBinding) is no problem: the review allows it', async () => {
  const s = setup(true);
  await s.settle(undefined);
  const o = s.observe(undefined);
  assert.is.not(formed(o)?.reason, 'PodListForbidden');
  assert.not.match(o.status.message, 'RBAC');
});

test('the gauges: reported clusters, unreachable members and the ClusterFormed reason (one series per resource)', async () => {
  const s = setup(false);
  await s.settle(binding(['demo']));
  s.observe(binding(['demo']));
  const text = await s.registry.metrics();
  const line = (name: string) => text.split('\n').filter((l) => l.startsWith(name));
  assert.equal(line('pekko_bootstrap_operator_cluster_reported_clusters'), [
    'pekko_bootstrap_operator_cluster_reported_clusters{namespace="shop",name="demo"} 0',
  ]);
  assert.equal(line('pekko_bootstrap_operator_cluster_unreachable_members'), [
    'pekko_bootstrap_operator_cluster_unreachable_members{namespace="shop",name="demo"} 0',
  ]);
  assert.equal(line('pekko_bootstrap_operator_cluster_formed_reason'), [
    'pekko_bootstrap_operator_cluster_formed_reason{namespace="shop",name="demo",reason="PodListForbidden"} 1',
  ]);
});

test.run();
