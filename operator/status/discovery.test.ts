import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import { API_VERSION, type ClusterBootstrap, type ClusterBootstrapSpec, KIND } from '../../core/api/types.ts';
import { podOf } from '../controller/testkit.ts';
import { discoveryView } from './discovery.ts';

const cb = (name: string, spec: Partial<ClusterBootstrapSpec> = {}, created = '2026-01-01T00:00:00Z') =>
  ({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: 'shop', creationTimestamp: created as unknown as Date },
    spec: { image: 'x', ...spec },
  }) as ClusterBootstrap;
const resolved = (c: ClusterBootstrap) => resolve(c, c.spec);
const names = (pods: V1Pod[]) => pods.map((p) => p.metadata?.name).sort();

test('the default selector finds the resource pods: all contact points, no problem', () => {
  const a = cb('a');
  const pods = [podOf('a-1', 'a', '10.0.0.1'), podOf('a-2', 'a', '10.0.0.2'), podOf('b-1', 'b', '10.0.0.3')];
  const v = discoveryView(resolved(a), pods, [a]);
  assert.equal(names(v.pods), ['a-1', 'a-2']);
  assert.equal([...v.found].sort(), ['a-1', 'a-2']);
  assert.is(v.problem, undefined);
});

test('a selector that matches none of the resource pods: no contact points, the pods still probed, named selector', () => {
  const a = cb('a', { bootstrap: { podLabelSelector: 'app=%s,tier=backend' } });
  const pods = [podOf('a-1', 'a', '10.0.0.1'), podOf('a-2', 'a', '10.0.0.2'), podOf('a-3', 'a', '10.0.0.3')];
  const v = discoveryView(resolved(a), pods, [a]);
  assert.equal(v.found, new Set());
  assert.equal(names(v.pods), ['a-1', 'a-2', 'a-3']);
  assert.is(v.problem?.reason, 'SelectorMatchesNone');
  assert.match(
    v.problem?.message ?? '',
    "bootstrap.podLabelSelector app=a,tier=backend matches none of this resource's 3 pods",
  );
  const labelled = pods.map((p) => podOf(p.metadata?.name ?? '', 'a', p.status?.podIP ?? '', { tier: 'backend' }));
  const fixed = discoveryView(resolved(a), labelled, [a]);
  assert.is(fixed.found.size, 3);
  assert.is(fixed.problem, undefined);
});

test("a selector that also matches another resource's pods says which", () => {
  const a = cb('a', { bootstrap: { podLabelSelector: 'tier=backend' } });
  const pods = [
    podOf('a-1', 'a', '10.0.0.1', { tier: 'backend' }),
    podOf('b-1', 'b', '10.0.0.2', { tier: 'backend' }),
    podOf('c-1', 'c', '10.0.0.3'),
  ];
  const v = discoveryView(resolved(a), pods, [a, cb('b')]);
  assert.equal([...v.found].sort(), ['a-1', 'b-1']);
  assert.is(v.problem?.reason, 'SelectorOverlap');
  assert.match(
    v.problem?.message ?? '',
    'bootstrap.podLabelSelector tier=backend also matches pods of ClusterBootstrap b (b-1)',
  );
});

test('the same serviceName twice: a conflict on the resource created second only', () => {
  const first = cb('a', { serviceName: 'orders' }, '2026-01-01T00:00:00Z');
  const second = cb('b', { serviceName: 'orders' }, '2026-01-02T00:00:00Z');
  const pods = [podOf('a-1', 'a', '10.0.0.1', { app: 'orders' }), podOf('b-1', 'b', '10.0.0.2', { app: 'orders' })];
  const onSecond = discoveryView(resolved(second), pods, [first, second]);
  assert.is(onSecond.problem?.reason, 'ServiceNameConflict');
  assert.match(onSecond.problem?.message ?? '', 'serviceName orders is also the serviceName of ClusterBootstrap a');
  const onFirst = discoveryView(resolved(first), pods, [first, second]);
  assert.is(onFirst.problem?.reason, 'SelectorOverlap', "the first's selector finds b's pods: said, but no conflict");
  const apart = cb('c', { serviceName: 'payments' });
  assert.is(discoveryView(resolved(apart), [], [first, second, apart]).problem, undefined);
});

test('a selector the API server would refuse', () => {
  const a = cb('a', { bootstrap: { podLabelSelector: 'app=%s,=x' } });
  const v = discoveryView(resolved(a), [podOf('a-1', 'a', '10.0.0.1')], [a]);
  assert.is(v.problem?.reason, 'SelectorInvalid');
  assert.equal(names(v.pods), ['a-1']);
});

test.run();
