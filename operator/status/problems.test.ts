import type { V1Deployment } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConditionReason } from '../../core/api/types.ts';
import { computeObservation, type NodeAnswer, type PodView } from './compute.ts';
import { replicaFailure } from './problems.ts';

const addr = (ip: string) => `pekko://A@${ip}:17355`;
const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
const formed = (ip: string): NodeAnswer => ({
  selfNode: addr(ip),
  seedNodes: ips.map(addr),
  members: { list: ips.map((m) => ({ node: addr(m), status: 'Up' })), unreachable: [], oldest: addr('10.0.0.1') },
});
const views: PodView[] = ips.map((ip, i) => ({
  contactPoint: { pod: `p${i}`, host: ip, port: 7626, ready: true },
  answer: formed(ip),
}));
const cond = (o: ReturnType<typeof computeObservation>, type: string) => o.conditions.find((c) => c.type === type);

test("the Deployment's ReplicaFailure condition (quota, admission) in the status message", () => {
  const d: V1Deployment = {
    metadata: { name: 'demo', namespace: 'shop' },
    status: {
      conditions: [
        { type: 'Available', status: 'True' },
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message:
            'pods "demo-7c9-x" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3',
        },
      ],
    },
  };
  const failure = replicaFailure(d);
  assert.is(
    failure,
    'Deployment demo cannot create pods (FailedCreate): pods "demo-7c9-x" is forbidden: exceeded quota: pods, ' +
      'requested: pods=1, used: pods=3, limited: pods=3; it keeps trying: fix what refuses the pods (a quota: ' +
      'kubectl -n shop describe resourcequota; an admission policy or webhook: the one the message names)',
  );
  const forming = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 5,
    views: [],
    replicaFailure: failure,
  });
  assert.match(forming.message, /^Deployment demo cannot create pods \(FailedCreate\): .*exceeded quota.*; 0 of 5/);
  assert.match(cond(forming, 'Ready')?.message ?? '', 'exceeded quota');
  const ok = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views, replicaFailure: failure });
  assert.is(ok.phase, 'Formed', 'the phase is what the pods say');
  assert.match(ok.message, 'exceeded quota');
  assert.is(replicaFailure({ status: { conditions: [{ type: 'ReplicaFailure', status: 'False' }] } }), undefined);
  assert.is(replicaFailure(undefined), undefined);
});

test('a discovery problem: ContactPointsDiscovered and Ready False with its reason, the phase as observed', () => {
  const problem = { reason: ConditionReason.SelectorOverlap, message: 'bootstrap.podLabelSelector x also matches' };
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views, discoveryProblem: problem });
  assert.is(o.phase, 'Formed');
  assert.match(o.message, /^bootstrap.podLabelSelector x also matches; one cluster of 3/);
  assert.equal(
    [cond(o, 'ContactPointsDiscovered'), cond(o, 'Ready')].map((c) => [c?.status, c?.reason]),
    [
      ['False', 'SelectorOverlap'],
      ['False', 'SelectorOverlap'],
    ],
  );
  assert.is(cond(o, 'ClusterFormed')?.status, 'True');
  const none = { reason: ConditionReason.SelectorMatchesNone, message: 'matches none' };
  const empty = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 3,
    views: [],
    discoveryProblem: none,
  });
  assert.is(empty.phase, 'Discovering');
  assert.is(cond(empty, 'ClusterFormed')?.reason, 'SelectorMatchesNone');
  assert.match(cond(empty, 'ContactPointsDiscovered')?.message ?? '', 'matches none; 0 of 3 required contact points');
});

test('pods of the resource the selector does not find are probed but are no contact points', () => {
  const hidden = views.map((v, i) => (i === 2 ? { ...v, discovered: false } : v));
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views: hidden });
  assert.equal(
    o.contactPoints.map((c) => c.pod),
    ['p0', 'p1'],
  );
  assert.match(o.message, 'one cluster of 3 Up members');
});

test.run();
