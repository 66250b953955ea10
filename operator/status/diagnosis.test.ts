import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConditionReason } from '../../core/api/types.ts';
import { computeObservation, type NodeAnswer, type PodView } from './compute.ts';
import { type DiagnosisInput, diagnose, FORMATION_GRACE_MS, withDiagnoses } from './diagnosis.ts';
import { FormationWatch } from './formation-watch.ts';

const r: DiagnosisInput['r'] = {
  name: 'demo',
  namespace: 'shop',
  replicas: 3,
  requiredContactPoints: 3,
  managementPort: 7626,
  managementPortName: 'management',
  stableMarginMs: 5000,
  newClusterEnabled: true,
};
const crashing: V1Pod = {
  metadata: { name: 'demo-1' },
  spec: { containers: [{ name: 'app', ports: [{ name: 'management', containerPort: 7626 }] }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 2,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      },
    ],
  },
};
const reasons = (i: Partial<DiagnosisInput>) => diagnose({ r, pods: [], ...i }).map((d) => d.reason);
const notJoined = (ip: string): NodeAnswer => ({ selfNode: `pekko://demo@${ip}:17355`, seedNodes: [] });
const views = (n: number, answered = true): PodView[] =>
  Array.from({ length: n }, (_, i) => ({
    // As the probe scheduler hands them over: an answered pod's row carries the node it reports.
    contactPoint: {
      pod: `demo-${i}`,
      host: `10.0.0.${i + 1}`,
      port: 7626,
      ready: false,
      ...(answered ? { node: notJoined(`10.0.0.${i + 1}`).selfNode } : {}),
    },
    ...(answered ? { answer: notJoined(`10.0.0.${i + 1}`) } : {}),
  }));

test('nothing holds: no diagnosis', () => {
  assert.equal(reasons({}), []);
});

test('the causes in the order to fix them: spec, creating pods, running them, discovery, probing', () => {
  const all = reasons({
    r: { ...r, replicas: 2 },
    pods: [crashing],
    replicaFailure: 'Deployment demo cannot create pods (FailedCreate): exceeded quota',
    rbacProblem: 'RBAC: RoleBinding read-pods is missing, so ...',
    discoveryProblem: { reason: ConditionReason.SelectorMatchesNone, message: 'matches none' },
    stalled: { forMs: 60_000, answering: 3, contactPoints: 3 },
  });
  assert.equal(all, [
    'ReplicasBelowRequired',
    'ReplicaFailure',
    'PodsNotRunning',
    'PodListForbidden',
    'SelectorMatchesNone',
  ]);
  assert.equal(
    reasons({ rbacProblem: 'RBAC: x', stalled: { forMs: 60_000, answering: 3, contactPoints: 3 } }),
    ['PodListForbidden'],
    'a stall another cause explains is its effect, not a cause',
  );
  const spec = reasons({
    discoveryProblem: { reason: ConditionReason.ServiceNameConflict, message: 'x' },
    pods: [crashing],
  });
  assert.equal(spec, ['ServiceNameConflict', 'PodsNotRunning'], 'a selector problem of the spec itself comes first');
});

test('replicas below requiredContactPoints: the numbers and both fixes; 0 replicas says so', () => {
  const [d] = diagnose({ r: { ...r, replicas: 2 }, pods: [] });
  assert.is(d?.reason, 'ReplicasBelowRequired');
  assert.match(d?.message ?? '', 'spec.replicas 2 is below requiredContactPoints 3');
  assert.match(d?.message ?? '', 'kubectl -n shop scale cb/demo --replicas=3');
  assert.match(d?.message ?? '', 'spec.bootstrap.requiredContactPoints to 2');
  assert.match(diagnose({ r: { ...r, replicas: 0 }, pods: [] })[0]?.message ?? '', 'spec.replicas is 0');
});

test('FormationStalled only after the stable margin plus the bound', () => {
  const stalled = (forMs: number) => reasons({ stalled: { forMs, answering: 3, contactPoints: 3 } });
  assert.equal(stalled(5000 + FORMATION_GRACE_MS - 1), []);
  assert.equal(stalled(5000 + FORMATION_GRACE_MS), ['FormationStalled']);
  const [d] = diagnose({
    r: { ...r, newClusterEnabled: false },
    pods: [],
    stalled: { forMs: 60_000, answering: 3, contactPoints: 3 },
  });
  assert.match(d?.message ?? '', '3 of 3 contact points answer the operator, but none has formed or joined');
  assert.match(d?.message ?? '', 'NetworkPolicy');
  assert.match(d?.message ?? '', 'newClusterEnabled is false');
});

test('while Discovering or Forming: ClusterFormed and Ready carry the first reason, every message leads', () => {
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views: views(1) });
  assert.is(o.phase, 'Discovering');
  const ds = diagnose({ r: { ...r, replicas: 1 }, pods: [crashing] });
  const d = withDiagnoses(o, ds);
  const cond = (t: string) => d.conditions.find((c) => c.type === t);
  assert.is(cond('ClusterFormed')?.reason, 'ReplicasBelowRequired');
  assert.is(cond('Ready')?.reason, 'ReplicasBelowRequired');
  assert.is(cond('ContactPointsDiscovered')?.reason, 'TooFew', 'discovery keeps its own reason');
  assert.match(d.message, /^spec.replicas 1 is below .*; 1 of 1 pods not running: .*; 1 of 3 required contact points/);
  assert.match(cond('ClusterFormed')?.message ?? '', /^spec.replicas 1 is below/);
});

test('a message already in the status (RBAC, the selector, ReplicaFailure) is not repeated', () => {
  const rbac = 'RBAC: RoleBinding read-pods is missing, so ServiceAccount demo cannot list pods';
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views: views(3), rbacProblem: rbac });
  const d = withDiagnoses(o, diagnose({ r: { ...r, replicas: 2 }, pods: [], rbacProblem: rbac }));
  assert.is(d.message.split(rbac).length, 2, d.message);
  assert.match(d.message, /^spec.replicas 2 is below .*; RBAC: RoleBinding read-pods is missing, .*; 3 of 3 required/);
  assert.is(d.conditions.find((c) => c.type === 'ClusterFormed')?.reason, 'ReplicasBelowRequired');
});

test('a formed or split cluster is left as it is', () => {
  const answer = (ip: string): NodeAnswer => ({
    selfNode: `pekko://demo@${ip}:17355`,
    seedNodes: ['pekko://demo@10.0.0.1:17355'],
    members: { list: [{ node: 'pekko://demo@10.0.0.1:17355', status: 'Up' }], unreachable: [] },
  });
  const formed = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 1,
    views: [{ contactPoint: { pod: 'a', host: '10.0.0.1', port: 7626, ready: true }, answer: answer('10.0.0.1') }],
  });
  assert.is(formed.phase, 'Formed');
  assert.is(withDiagnoses(formed, diagnose({ r: { ...r, replicas: 1 }, pods: [crashing] })), formed);
});

test('FormationWatch: the wait runs while the same contact points answer without a cluster, and restarts on a change', () => {
  const w = new FormationWatch();
  const forming = (vs: PodView[]) => computeObservation({ resourcesReady: true, requiredContactPoints: 3, views: vs });
  assert.is(w.update('k', forming(views(3, false)), 3, 0), undefined, 'nobody answers yet');
  assert.equal(w.update('k', forming(views(3)), 3, 1000), { forMs: 0, answering: 3, contactPoints: 3 });
  assert.is(w.update('k', forming(views(3)), 3, 26_000)?.forMs, 25_000);
  assert.is(w.update('k', forming(views(4)), 3, 27_000)?.forMs, 0, 'a new contact point restarts the wait');
  assert.is(w.update('k', forming(views(2)), 3, 28_000), undefined, 'too few answer: not waiting on formation');
  assert.is(w.update('k', forming(views(3)), 3, 29_000)?.forMs, 0);
  w.forget('k');
  assert.is(w.update('k', forming(views(3)), 3, 40_000)?.forMs, 0);
});

test.run();
