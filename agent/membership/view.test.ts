import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareAge, compareMembers, leaderOf, oldestOf, oldestPerRole } from './order.ts';
import { EMPTY_STATE, founded, joined, keyOf, type MemberEntry, type MembershipState } from './record.ts';
import { observe } from './view.ts';

const e = (host: string, upNumber: number, status = 'Up', uid = '1', roles = ['dc-default']): MemberEntry => ({
  node: `pekko://A@${host}:17355`,
  uid,
  status,
  upNumber,
  roles,
});

test("Pekko's member order: host string, then port, then uid (signed 64-bit)", () => {
  const list = [e('10.0.0.9', 1), e('10.0.0.10', 2), e('10.0.0.1', 3, 'Up', '5'), e('10.0.0.1', 4, 'Up', '-5')];
  assert.equal(
    [...list].sort(compareMembers).map((m) => `${m.node.slice(10, -6)}#${m.uid}`),
    ['10.0.0.1#-5', '10.0.0.1#5', '10.0.0.10#1', '10.0.0.9#1'],
  );
  assert.equal(
    [...list].sort(compareAge).map((m) => m.upNumber),
    [1, 2, 3, 4],
  );
});

test("leader: Pekko's leaderOf, the first reachable non-Down member in member order with a leader status", () => {
  const all = [e('10.0.0.1', 5, 'Joining'), e('10.0.0.2', 1, 'Down'), e('10.0.0.3', 2), e('10.0.0.4', 3, 'Leaving')];
  assert.is(leaderOf(all, () => true)?.node, e('10.0.0.3', 0).node, 'Joining and Down skipped');
  assert.is(leaderOf(all, (m) => !m.node.includes('10.0.0.3'))?.node, e('10.0.0.4', 0).node, 'Leaving may lead');
  const none = [e('10.0.0.5', 1, 'Joining'), e('10.0.0.6', 2, 'WeaklyUp'), e('10.0.0.7', 3, 'Exiting')];
  assert.is(leaderOf(none, () => true)?.node, e('10.0.0.6', 0).node, 'else the lowest by leader-status order');
  assert.is(
    leaderOf([e('10.0.0.8', 1, 'Down')], () => true),
    undefined,
  );
});

test('oldest: the Up member with the lowest upNumber, overall and per role (roles sorted)', () => {
  const all = [
    e('10.0.0.1', 3, 'Up', '1', ['b', 'dc-default']),
    e('10.0.0.2', 1, 'Leaving'),
    e('10.0.0.3', 2, 'Up', '1', ['a', 'dc-default']),
  ];
  assert.is(oldestOf(all)?.upNumber, 2, 'the Leaving member is not oldest');
  assert.equal(oldestPerRole(all), {
    a: e('10.0.0.3', 0).node,
    b: e('10.0.0.1', 0).node,
    'dc-default': e('10.0.0.3', 0).node,
  });
});

const m = (i: number) => ({ node: `pekko://A@10.0.0.${i}:17355`, uid: String(i), roles: [] as string[] });
function state(): MembershipState {
  let s = founded(EMPTY_STATE, m(5));
  for (const i of [1, 2, 3]) s = (joined(s, m(i)) as { state: MembershipState }).state;
  return s;
}

test('observe: challenged and suspect members are unreachable, self never; the leader moves past them', () => {
  let s = state();
  s = {
    ...s,
    members: s.members.map((x) =>
      x.uid === '1' ? { ...x, challenge: { seq: 1, by: m(5).node, reason: 'not ready' } } : x,
    ),
  };
  const v = observe({
    state: s,
    selfNode: m(3).node,
    selfKey: keyOf(m(3)),
    suspects: new Set([keyOf(m(2)), keyOf(m(3))]),
  });
  assert.equal(
    v.unreachable.map((u) => [u.member.uid, u.observedBy]),
    [
      ['1', m(5).node],
      ['2', m(3).node],
    ],
  );
  assert.is(v.leader?.uid, '3', 'self is reachable: 10.0.0.3 is the lowest reachable');
  assert.is(v.oldest?.uid, '5', 'reachability does not change age');
  assert.is(observe({ state: s, selfNode: m(5).node, selfKey: keyOf(m(5)), suspects: new Set() }).leader?.uid, '2');
  const leaving = observe({
    state: s,
    selfNode: m(5).node,
    selfKey: keyOf(m(5)),
    suspects: new Set(),
    selfStatus: 'Leaving',
  });
  assert.is(leaving.self?.status, 'Leaving');
  assert.is(leaving.oldest?.uid, '1', 'a leaving member is no longer the oldest in its own view');
});

test.run();
