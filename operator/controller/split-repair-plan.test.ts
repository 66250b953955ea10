import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ObservedCluster } from '../status/compute.ts';
import { JOIN_BOUND_MS, keptCluster, planSplitRepair } from './split-repair-plan.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const node = (ip: string) => `pekko://demo@${ip}:17355`;
function pod(name: string, ip: string, createdMs: number, terminating = false): V1Pod {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: new Date(createdMs),
      ...(terminating ? { deletionTimestamp: new Date(createdMs + 1) } : {}),
    },
    status: { phase: 'Running', podIP: ip },
  };
}
const cluster = (seedIp: string, pods: string[], members = pods.length): ObservedCluster => ({
  seed: node(seedIp),
  members: Array.from({ length: members }, (_, i) => node(`10.9.9.${i}`)),
  pods,
  unreachable: [],
});

// a1 (10.0.0.1), a2 in cluster A; b1 (10.0.0.3), b2, b3 in cluster B; c1 alone in C.
const a1 = pod('a1', '10.0.0.1', T0);
const a2 = pod('a2', '10.0.0.2', T0 + 1000);
const b1 = pod('b1', '10.0.0.3', T0 + 2000);
const b2 = pod('b2', '10.0.0.4', T0 + 3000);
const b3 = pod('b3', '10.0.0.5', T0 + 4000);
const c1 = pod('c1', '10.0.0.6', T0 + 5000);
const A = cluster('10.0.0.1', ['a1', 'a2']);
const B = cluster('10.0.0.3', ['b1', 'b2', 'b3']);
const C = cluster('10.0.0.6', ['c1']);
const now = T0 + 10 * 60_000;

test('one cluster (or none): nothing to do', () => {
  assert.equal(planSplitRepair({ clusters: [A], pods: [a1, a2], now }), { kind: 'none' });
  assert.equal(planSplitRepair({ clusters: [], pods: [], now }), { kind: 'none' });
});

test('the cluster with the most Up members is kept; the smaller others lose their pods first', () => {
  const step = planSplitRepair({ clusters: [A, B, C], pods: [a1, a2, b1, b2, b3, c1], now });
  assert.is(step.kind, 'delete');
  if (step.kind !== 'delete') return;
  assert.is(step.keep, B);
  assert.is(step.pod.metadata?.name, 'c1', 'C (1 member) before A (2)');
  assert.equal(step.remaining, ['a1', 'a2']);
});

test('a tie goes to the cluster whose seed runs in the oldest pod, then to the lower seed address', () => {
  const A2 = cluster('10.0.0.1', ['a1', 'a2']);
  const B2 = cluster('10.0.0.3', ['b1', 'b2']);
  assert.is(keptCluster([B2, A2], [a1, a2, b1, b2]), A2, 'a1 is older than b1');
  const young = pod('a1', '10.0.0.1', T0 + 9000);
  assert.is(keptCluster([A2, B2], [young, a2, b1, b2]), B2, 'now b1 is the older seed pod');
  assert.is(keptCluster([B2, A2], []), A2, 'no pod known: the lower seed address');
});

test('one at a time: wait while a pod terminates, while the cache still shows the last one alive, and while a new pod joins', () => {
  const pods = [a1, a2, b1, b2, b3];
  const terminating = planSplitRepair({ clusters: [A, B], pods: [...pods, pod('a3', '10.0.0.9', now, true)], now });
  assert.equal(terminating.kind === 'wait' && terminating.why, 'pod a3 is terminating');
  const lag = planSplitRepair({ clusters: [A, B], pods, now, lastDeleted: { uid: 'uid-a1' } });
  assert.equal(lag.kind === 'wait' && lag.why, 'the pod deleted last is not terminating in the cache yet');
  const fresh = pod('a1-new', '10.0.0.10', now - 5000);
  const joining = planSplitRepair({ clusters: [cluster('10.0.0.1', ['a2']), B], pods: [a2, b1, b2, b3, fresh], now });
  assert.equal(joining.kind === 'wait' && joining.why, 'pod a1-new has not joined a cluster yet');
  const late = planSplitRepair({
    clusters: [cluster('10.0.0.1', ['a2']), B],
    pods: [a2, b1, b2, b3, fresh],
    now: now + JOIN_BOUND_MS,
  });
  assert.is(late.kind === 'delete' && late.pod.metadata?.name, 'a2', 'after the bound the repair goes on');
  const joined = planSplitRepair({ clusters: [A, { ...B, pods: [...B.pods, 'a1-new'] }], pods: [...pods, fresh], now });
  assert.is(joined.kind === 'delete' && joined.pod.metadata?.name, 'a1', 'the new pod joined: next one');
});

test("pods of the other clusters that are not the resource's own are never deleted", () => {
  const step = planSplitRepair({ clusters: [B, A], pods: [b1, b2, b3], now });
  assert.equal(step.kind === 'wait' && step.why, 'no pod of this resource is in the other clusters');
});

test.run();
