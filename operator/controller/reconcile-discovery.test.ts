// Contact points as Pekko's discovery finds them: the reconcile hands the observer every pod the operator watches in
// the namespace and the namespace's resources; the resource's bootstrap.podLabelSelector picks the contact points.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCondition } from '../status/conditions.ts';
import { cbOf, harness, podOf } from './testkit.ts';

test('a selector that matches none of the pods: no contact points, the condition names the selector', async () => {
  const h = harness();
  h.put(cbOf('demo', { bootstrap: { podLabelSelector: 'app=%s,tier=backend' } }));
  for (const i of [1, 2, 3]) h.put(podOf(`demo-${i}`, 'demo', `10.0.0.${i}`));
  await h.settle('demo');
  const s = h.cb('demo').status;
  assert.equal(s?.contactPoints, []);
  const c = findCondition(s?.conditions, 'ContactPointsDiscovered');
  assert.is(c?.status, 'False');
  assert.is(c?.reason, 'SelectorMatchesNone');
  assert.match(
    c?.message ?? '',
    "bootstrap.podLabelSelector app=demo,tier=backend matches none of this resource's 3 pods",
  );
  assert.is(findCondition(s?.conditions, 'Ready')?.reason, 'SelectorMatchesNone');
  assert.not.match(s?.message ?? '', '3 of 3');
});

test('the same serviceName twice: the second resource reports the conflict; the first that its selector finds both', async () => {
  const h = harness();
  const a = cbOf('a', { serviceName: 'orders' });
  a.metadata.creationTimestamp = new Date('2026-01-01T00:00:00Z');
  const b = cbOf('b', { serviceName: 'orders' });
  b.metadata.creationTimestamp = new Date('2026-01-01T00:00:05Z');
  h.put(a);
  h.put(b);
  h.put(podOf('a-1', 'a', '10.0.0.1', { app: 'orders' }));
  h.put(podOf('b-1', 'b', '10.0.0.2', { app: 'orders' }));
  await h.settle('a', 'b');
  const onB = findCondition(h.cb('b').status?.conditions, 'ContactPointsDiscovered');
  assert.is(onB?.reason, 'ServiceNameConflict');
  assert.match(onB?.message ?? '', 'serviceName orders is also the serviceName of ClusterBootstrap a, created first');
  const onA = findCondition(h.cb('a').status?.conditions, 'ContactPointsDiscovered');
  assert.is(onA?.reason, 'SelectorOverlap');
  assert.match(onA?.message ?? '', 'also matches pods of ClusterBootstrap b (b-1)');
  assert.equal(
    h.cb('a').status?.contactPoints?.map((c) => c.pod),
    ['a-1', 'b-1'],
    'what Pekko would find',
  );
});

test.run();
