// The downed members, from a sequence of looks at what the pods answered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ObservedCluster } from './compute.ts';
import { DownTracker } from './downed.ts';

const A = 'pekko://s@10.0.0.1:17355';
const B = 'pekko://s@10.0.0.2:17355';
const C = 'pekko://s@10.0.0.3:17355';
const PODS = new Map([
  ['10.0.0.1', 'pod-a'],
  ['10.0.0.2', 'pod-b'],
  ['10.0.0.3', 'pod-c'],
]);
const cluster = (members: string[], unreachable: string[] = [], down: string[] = []): ObservedCluster => ({
  seed: A,
  members,
  pods: [],
  unreachable,
  down,
});

test('unreachable, then no answer lists it: downed, reported once with its pod', () => {
  const t = new DownTracker();
  assert.equal(t.observe('k', [cluster([A, B, C])], PODS), []);
  assert.equal(t.observe('k', [cluster([A, B, C], [C])], PODS), []);
  assert.equal(t.observe('k', [cluster([A, B])], PODS), [{ node: C, pod: 'pod-c' }]);
  assert.equal(t.observe('k', [cluster([A, B])], PODS), [], 'once');
});

test('a member some answer lists as Down is downed at once, even unseen as unreachable before', () => {
  const t = new DownTracker();
  assert.equal(t.observe('k', [cluster([A, B], [C], [C])], PODS), [{ node: C, pod: 'pod-c' }]);
  assert.equal(t.observe('k', [cluster([A, B])], PODS), []);
});

test('unreachable and then reachable again is no downing; a member that rejoins can be downed again', () => {
  const t = new DownTracker();
  t.observe('k', [cluster([A, B, C], [C])], PODS);
  assert.equal(t.observe('k', [cluster([A, B, C])], PODS), [], 'healed before the resolver decided');
  t.observe('k', [cluster([A, B, C], [C])], PODS);
  assert.equal(t.observe('k', [cluster([A, B])], PODS).length, 1);
  assert.equal(t.observe('k', [cluster([A, B, C])], PODS), [], 'rejoined (same address, new incarnation)');
  t.observe('k', [cluster([A, B, C], [C])], PODS);
  assert.equal(t.observe('k', [cluster([A, B], [], [C])], PODS), [{ node: C, pod: 'pod-c' }], 'reported again');
});

test('a member that merely left (never unreachable) is not reported; keys are separate; forget drops the memory', () => {
  const t = new DownTracker();
  t.observe('k', [cluster([A, B, C])], PODS);
  assert.equal(t.observe('k', [cluster([A, B])], PODS), []);
  t.observe('k', [cluster([A, B, C], [C])], PODS);
  assert.equal(t.observe('other', [cluster([A, B])], PODS), []);
  t.forget('k');
  assert.equal(t.observe('k', [cluster([A, B])], PODS), []);
  assert.equal(t.observe('k', [cluster([A], [], ['pekko://s@10.9.9.9:1'])], PODS), [{ node: 'pekko://s@10.9.9.9:1' }]);
});

test.run();
