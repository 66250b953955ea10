// When a ClusterBootstrap's reconcile asks the namespace RBAC reconcile to look: only when the resource's membership
// of pod-reader/read-pods may have changed, not on every pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { cbOf, harness, NS } from './testkit.ts';

const rbacKey = `rbac:${NS}`;

test('a pass that changes nothing does not enqueue the namespace RBAC; a new spec, its account or a deletion does', async () => {
  const h = harness();
  h.kube.put(cbOf('demo'));
  await h.settle('demo');
  h.queue.clear();
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  await h.run(`cb:${NS}/demo`);
  assert.not.ok(h.queue.has(rbacKey), 'nothing changed: no RBAC pass');

  h.kube.remove('ServiceAccount', NS, 'demo');
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.ok(h.queue.has(rbacKey), 'its ServiceAccount went: RBAC pass');

  h.queue.clear();
  const cb = h.cb('demo') as ClusterBootstrap;
  h.kube.put({ ...cb, metadata: { ...cb.metadata, generation: 2 }, spec: { ...cb.spec, paused: true } });
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.ok(h.queue.has(rbacKey), 'a new generation: RBAC pass');

  h.queue.clear();
  h.kube.remove('ClusterBootstrap', NS, 'demo');
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.ok(h.queue.has(rbacKey), 'deleted: RBAC pass');
});

test.run();
