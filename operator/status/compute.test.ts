import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConditionReason } from '../../core/api/types.ts';
import { computeObservation, groupClusters, hostOf, type NodeAnswer, type PodView } from './compute.ts';

const RBAC_REASON = ConditionReason.PodListForbidden;

const addr = (ip: string) => `pekko://Appka@${ip}:17355`;
const cp = (pod: string, ip: string, ready = true) => ({ pod, host: ip, port: 7626, ready });
const joined = (
  self: string,
  members: string[],
  extra: Partial<NonNullable<NodeAnswer['members']>> = {},
): NodeAnswer => ({
  selfNode: addr(self),
  seedNodes: members.slice(0, 5).map(addr),
  members: {
    list: members.map((m) => ({ node: addr(m), status: 'Up' })),
    unreachable: [],
    oldest: addr(members[0] as string),
    ...extra,
  },
});
const notJoined = (self: string): NodeAnswer => ({ selfNode: addr(self), seedNodes: [] });
const view = (pod: string, ip: string, answer?: NodeAnswer, ready = true): PodView => ({
  contactPoint: cp(pod, ip, ready),
  ...(answer ? { answer } : {}),
});

test('hostOf takes the host of a node address', () => {
  assert.is(hostOf('pekko://Appka@10.244.0.5:17355'), '10.244.0.5');
});

test('no pods and no children: Pending', () => {
  const o = computeObservation({ resourcesReady: false, requiredContactPoints: 3, views: [] });
  assert.is(o.phase, 'Pending');
});

test('fewer contact points than required: Discovering, with the count in the message', () => {
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 3,
    views: [view('a', '10.0.0.1', notJoined('10.0.0.1'), false), view('b', '10.0.0.2', undefined, false)],
  });
  assert.is(o.phase, 'Discovering');
  assert.match(o.message, '2 of 3 required');
  assert.is(o.conditions.find((c) => c.type === 'ContactPointsDiscovered')?.status, 'False');
});

test('enough contact points, nobody joined: Forming', () => {
  const views = ['1', '2', '3'].map((i) => view(`p${i}`, `10.0.0.${i}`, notJoined(`10.0.0.${i}`), false));
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views });
  assert.is(o.phase, 'Forming');
  assert.is(o.seedNode, undefined);
});

test('three pods in one cluster: Formed around the oldest member, members counted', () => {
  const members = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const views = members.map((ip, i) => view(`p${i}`, ip, joined(ip, members)));
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views });
  assert.is(o.phase, 'Formed');
  assert.is(o.seedNode, addr('10.0.0.1'));
  assert.is(o.members, 3);
  assert.is(o.readyContactPoints, 3);
  assert.equal(
    o.conditions.map((c) => [c.type, c.status]),
    [
      ['ContactPointsDiscovered', 'True'],
      ['ClusterFormed', 'True'],
      ['Ready', 'True'],
    ],
  );
});

test('the oldest member wins over the lowest address when they differ (after a rolling update)', () => {
  const members = ['10.0.0.9', '10.0.0.1'];
  const answer = joined('10.0.0.9', members, { oldest: addr('10.0.0.9') });
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 1,
    views: [view('a', '10.0.0.9', answer), view('b', '10.0.0.1', { ...answer, selfNode: addr('10.0.0.1') })],
  });
  assert.is(o.seedNode, addr('10.0.0.9'));
});

test('without /cluster/members the seed is the first (lowest) seed node', () => {
  const seedOnly = (self: string): NodeAnswer => ({
    selfNode: addr(self),
    seedNodes: [addr('10.0.0.2'), addr('10.0.0.3')],
  });
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 2,
    views: [view('a', '10.0.0.2', seedOnly('10.0.0.2')), view('b', '10.0.0.3', seedOnly('10.0.0.3'))],
  });
  assert.is(o.phase, 'Formed');
  assert.is(o.seedNode, addr('10.0.0.2'));
});

test('two groups that formed separately: Degraded, naming both clusters and their pods', () => {
  const g1 = ['10.0.0.1', '10.0.0.2'];
  const g2 = ['10.0.0.3', '10.0.0.4'];
  const views = [
    ...g1.map((ip, i) => view(`a${i}`, ip, joined(ip, g1))),
    ...g2.map((ip, i) => view(`b${i}`, ip, joined(ip, g2))),
  ];
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 2, views });
  assert.is(o.phase, 'Degraded');
  assert.is(o.clusters.length, 2);
  assert.match(o.message, addr('10.0.0.1'));
  assert.match(o.message, addr('10.0.0.3'));
  assert.match(o.message, 'a0, a1');
  assert.match(o.message, 'b0, b1');
  assert.is(o.conditions.find((c) => c.type === 'ClusterFormed')?.reason, 'SplitBrain');
});

test('unreachable members: Degraded naming them', () => {
  const members = ['10.0.0.1', '10.0.0.2'];
  const answer = joined('10.0.0.1', members, { unreachable: [addr('10.0.0.2')] });
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 2,
    views: [view('a', '10.0.0.1', answer)],
  });
  assert.is(o.phase, 'Degraded');
  assert.match(o.message, `members unreachable: ${addr('10.0.0.2')}`);
});

test('a ready pod not yet probed but listed as a member keeps the cluster Formed', () => {
  const members = ['10.0.0.1', '10.0.0.2'];
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 2,
    views: [view('a', '10.0.0.1', joined('10.0.0.1', members)), view('b', '10.0.0.2')],
  });
  assert.is(o.phase, 'Formed');
});

test('the founder alone is not Formed while more members are required', () => {
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 3,
    views: [
      view('a', '10.0.0.1', joined('10.0.0.1', ['10.0.0.1'])),
      view('b', '10.0.0.2', undefined, false),
      view('c', '10.0.0.3', undefined, false),
    ],
  });
  assert.is(o.phase, 'Forming');
  assert.match(o.message, '1 of 3 members Up');
});

test('a formed cluster whose member was removed while its pod stays (not Ready) is still Formed, not Forming', () => {
  const members = ['10.0.0.1', '10.0.0.2'];
  const views = [
    view('a', '10.0.0.1', joined('10.0.0.1', members)),
    view('b', '10.0.0.2', joined('10.0.0.2', members)),
    view('c', '10.0.0.3', undefined, false),
  ];
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 3, views, formedBefore: true });
  assert.is(o.phase, 'Formed');
  assert.is(o.members, 2);
  // The same answers before the cluster ever formed: the founder's group is still short of the required count.
  assert.is(computeObservation({ resourcesReady: true, requiredContactPoints: 3, views }).phase, 'Forming');
});

test('after a scale-down below the required count, fewer members still make Formed', () => {
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 3,
    views: [view('a', '10.0.0.1', joined('10.0.0.1', ['10.0.0.1']))],
  });
  assert.is(o.phase, 'Formed');
});

test('a ready pod without an answer yet does not flip a Formed cluster', () => {
  const members = ['10.0.0.1', '10.0.0.2'];
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 2,
    views: [
      view('a', '10.0.0.1', joined('10.0.0.1', members)),
      view('b', '10.0.0.2', joined('10.0.0.2', members)),
      view('c', '10.0.0.3'),
    ],
  });
  assert.is(o.phase, 'Formed');
});

test('a ready pod that is in no cluster and unlisted keeps it Forming', () => {
  const o = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 1,
    views: [view('a', '10.0.0.1', joined('10.0.0.1', ['10.0.0.1'])), view('b', '10.0.0.2', notJoined('10.0.0.2'))],
  });
  assert.is(o.phase, 'Forming');
  assert.match(o.message, 'b');
});

test('a stale answer that still lists a removed member is outvoted by the majority', () => {
  const now = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const stale = [...now, '10.0.0.4'];
  const views = [
    view('a', '10.0.0.1', joined('10.0.0.1', now)),
    view('b', '10.0.0.2', joined('10.0.0.2', now)),
    view('c', '10.0.0.3', joined('10.0.0.3', stale)),
  ];
  assert.is(computeObservation({ resourcesReady: true, requiredContactPoints: 3, views }).members, 3);
});

test("a tie between the answers goes to the leader's own: joins show there first", () => {
  // Three pods just formed around the founder 10.0.0.1 (the leader); the third is not probed yet, and the second
  // was probed right after its own join, before the third was admitted.
  const all = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const leader = { leader: addr('10.0.0.1') };
  const tie = [
    view('a', '10.0.0.1', joined('10.0.0.1', all, leader)),
    view('b', '10.0.0.2', joined('10.0.0.2', all.slice(0, 2), leader)),
  ];
  assert.is(computeObservation({ resourcesReady: true, requiredContactPoints: 2, views: tie }).members, 3);
  // A majority wins over the leader's answer (probed before the others caught up).
  const stale = [
    view('a', '10.0.0.1', joined('10.0.0.1', all.slice(0, 2), leader)),
    view('b', '10.0.0.2', joined('10.0.0.2', all, leader)),
    view('c', '10.0.0.3', joined('10.0.0.3', all, leader)),
  ];
  assert.is(computeObservation({ resourcesReady: true, requiredContactPoints: 3, views: stale }).members, 3);
});

test('groupClusters ignores pods that have not joined', () => {
  assert.equal(groupClusters([view('a', '10.0.0.1', notJoined('10.0.0.1')), view('b', '10.0.0.2')]), []);
});

test('without the oldest, the seed is the lowest in Pekko order: octets >= 128 sort first (signed bytes)', () => {
  const seeds = [addr('10.0.0.5'), addr('10.0.0.200')];
  const a: NodeAnswer = { selfNode: addr('10.0.0.5'), seedNodes: seeds };
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 1, views: [view('a', '10.0.0.5', a)] });
  assert.is(o.seedNode, addr('10.0.0.200'));
});

test('pods that may not list pods: the message and the reasons point at RBAC, the phase stays short of Formed', () => {
  const rbacProblem = 'RBAC: RoleBinding read-pods is missing';
  const views = ['1', '2', '3'].map((i) => view(`p${i}`, `10.0.0.${i}`, notJoined(`10.0.0.${i}`), false));
  const o = computeObservation({ resourcesReady: false, requiredContactPoints: 3, views, rbacProblem });
  assert.is(o.phase, 'Forming');
  assert.match(o.message, /^RBAC: RoleBinding read-pods is missing; 3 of 3 required contact points/);
  assert.is(o.conditions.find((c) => c.type === 'ClusterFormed')?.reason, RBAC_REASON);
  assert.is(o.conditions.find((c) => c.type === 'Ready')?.reason, RBAC_REASON);
  const few = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 3,
    views: views.slice(0, 2),
    rbacProblem,
  });
  assert.is(few.phase, 'Discovering');
  assert.match(few.message, rbacProblem);
  // A partly formed cluster: still Forming, and why the rest cannot join.
  const part = computeObservation({
    resourcesReady: true,
    requiredContactPoints: 3,
    views: [view('a', '10.0.0.1', joined('10.0.0.1', ['10.0.0.1'])), ...views.slice(1)],
    rbacProblem,
  });
  assert.is(part.phase, 'Forming');
  assert.match(part.message, rbacProblem);
  assert.is(part.conditions.find((c) => c.type === 'Ready')?.reason, RBAC_REASON);
});

test('a formed cluster is reported as it is, whatever the cache says about RBAC', () => {
  const members = ['10.0.0.1', '10.0.0.2'];
  const views = members.map((ip, i) => view(`p${i}`, ip, joined(ip, members)));
  const o = computeObservation({ resourcesReady: true, requiredContactPoints: 2, views, rbacProblem: 'RBAC: x' });
  const plain = computeObservation({ resourcesReady: true, requiredContactPoints: 2, views });
  assert.is(o.phase, 'Formed');
  assert.equal(o, plain);
});

test.run();
