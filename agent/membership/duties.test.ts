import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PodLike } from '../../core/discovery/contact-points.ts';
import { foundingStep, leaderDuties, nextRemovalAt, suspects } from './duties.ts';
import { podSignals } from './pod-signals.ts';
import { challenged, EMPTY_STATE, founded, joined, keyOf, type MembershipState, refuted } from './record.ts';

const n = (i: number) => ({ node: `pekko://A@10.0.0.${i}:17355`, uid: String(i), pod: `p${i}`, roles: [] as string[] });
const k = (i: number) => keyOf(n(i));
function cluster(size: number): MembershipState {
  let s = founded(EMPTY_STATE, n(1));
  for (let i = 2; i <= size; i++) s = (joined(s, n(i)) as { state: MembershipState }).state;
  return s;
}
const pod = (i: number, over: { ready?: boolean; phase?: string; ip?: string; deleting?: boolean } = {}): PodLike => ({
  metadata: { name: `p${i}`, ...(over.deleting ? { deletionTimestamp: 'x' } : {}) },
  spec: { containers: [] },
  status: {
    phase: over.phase ?? 'Running',
    podIP: over.ip ?? `10.0.0.${i}`,
    conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True' }],
  },
});

test('pod signals: gone, another IP, terminating, not running, not ready; nothing within the join grace', () => {
  const s = cluster(6);
  const pods = [
    pod(1),
    pod(2, { ip: '10.9.9.9' }),
    pod(3, { deleting: true }),
    pod(4, { phase: 'Pending' }),
    pod(5, { ready: false }),
  ];
  const seen = (key: string) => (key === k(5) ? 95 : 0);
  const sig = podSignals(s.members, pods, seen, 100, 10);
  assert.equal(
    [...sig.entries()].map(([key, v]) => [key.split('@')[1], v.reason]),
    [
      ['10.0.0.2:17355#2', 'pod gone'],
      ['10.0.0.3:17355#3', 'pod terminating'],
      ['10.0.0.4:17355#4', 'pod not running'],
      ['10.0.0.6:17355#6', 'pod gone'],
    ],
  );
  assert.is(podSignals(s.members, pods, () => 0, 100, 10).get(k(5))?.reason, 'not ready', 'past the join grace');
  assert.is(podSignals(s.members, pods, () => 95, 100, 10).size, 0, 'everyone within the join grace');
  const noPodName = { ...s, members: s.members.map(({ pod: _, ...m }) => m) };
  assert.is(podSignals(noPodName.members, [pod(1)], () => 0, 100, 10).get(k(1)), undefined, 'matched by IP');
  assert.is(podSignals(noPodName.members, [pod(1)], () => 0, 100, 10).get(k(2))?.reason, 'pod gone');
});

test('leader duties: challenge suspects once; remove after the margin from first sight, never before', () => {
  const s = cluster(3);
  const signals = new Map([[k(3), { reason: 'not ready', key: 'S1' }]]);
  const d = leaderDuties({
    state: s,
    selfKey: k(1),
    signals,
    challengeSeenAt: () => undefined,
    now: 0,
    removalMarginMs: 17_000,
  });
  assert.equal(d, { challenge: [{ key: k(3), reason: 'not ready', podState: 'S1' }], remove: [] });
  const c = challenged(s, d.challenge, n(1).node) as MembershipState;
  const seq = c.members[2]?.challenge?.seq as number;
  const at = (now: number) =>
    leaderDuties({
      state: c,
      selfKey: k(1),
      signals,
      challengeSeenAt: (q) => (q === seq ? 1000 : undefined),
      now,
      removalMarginMs: 17_000,
    });
  assert.equal(at(17_999).remove, [], 'one millisecond early');
  assert.equal(at(18_000), { challenge: [], remove: [{ key: k(3), seq, reason: 'not ready' }] });
  assert.is(
    nextRemovalAt(c, () => 1000, 17_000),
    18_000,
  );
  const never = leaderDuties({
    state: c,
    selfKey: k(1),
    signals,
    challengeSeenAt: () => undefined,
    now: 1e9,
    removalMarginMs: 1,
  });
  assert.equal(never.remove, [], 'a challenge this node never saw has no age yet');
});

test('a refuted challenge answers for that pod state only: no new challenge until the pod changes', () => {
  const s = cluster(3);
  const c = challenged(s, [{ key: k(3), reason: 'not ready', podState: 'S1' }], n(1).node) as MembershipState;
  const r = refuted(c, k(3)) as MembershipState;
  const same = new Map([[k(3), { reason: 'not ready', key: 'S1' }]]);
  assert.is(suspects(r, same).size, 0);
  assert.equal(
    leaderDuties({ state: r, selfKey: k(1), signals: same, challengeSeenAt: () => 0, now: 0, removalMarginMs: 1 })
      .challenge,
    [],
  );
  const changed = new Map([[k(3), { reason: 'not ready', key: 'S2' }]]);
  assert.equal([...suspects(r, changed)], [k(3)]);
});

test('founding: empty record founds; members are challenged, then replaced after the margin unless they answer', () => {
  assert.equal(
    foundingStep({
      state: EMPTY_STATE,
      startedWith: undefined,
      seen: new Map(),
      challengeSeenAt: () => undefined,
      now: 0,
      removalMarginMs: 10,
    }),
    { kind: 'found' },
  );
  const s = cluster(2);
  const input = {
    state: s,
    startedWith: s.clusterId,
    seen: new Map<string, number>(),
    challengeSeenAt: () => undefined,
    now: 0,
    removalMarginMs: 10,
  };
  const first = foundingStep(input);
  assert.equal(first, {
    kind: 'challenge',
    targets: [
      { key: k(1), reason: 'cold start' },
      { key: k(2), reason: 'cold start' },
    ],
  });
  const c = challenged(s, first.kind === 'challenge' ? first.targets : [], 'me') as MembershipState;
  const seen = new Map([
    [k(1), 1],
    [k(2), 2],
  ]);
  const seenAt = (q: number) => (q === 1 ? 100 : 105);
  assert.equal(foundingStep({ ...input, state: c, seen, challengeSeenAt: seenAt, now: 110 }), {
    kind: 'wait',
    untilMs: 115,
  });
  assert.equal(foundingStep({ ...input, state: c, seen, challengeSeenAt: seenAt, now: 115 }), {
    kind: 'replace',
    expected: [
      { key: k(1), seq: 1 },
      { key: k(2), seq: 2 },
    ],
  });
  const answered = refuted(c, k(2)) as MembershipState;
  assert.is(foundingStep({ ...input, state: answered, seen, challengeSeenAt: seenAt, now: 200 }).kind, 'join');
  const grown = (joined(c, n(7)) as { state: MembershipState }).state;
  assert.is(
    foundingStep({ ...input, state: grown, seen, challengeSeenAt: seenAt, now: 200 }).kind,
    'join',
    'a newcomer',
  );
  const other = founded(c, n(9));
  assert.is(
    foundingStep({ ...input, state: other, seen, challengeSeenAt: seenAt, now: 200 }).kind,
    'join',
    'another incarnation',
  );
});

test.run();
