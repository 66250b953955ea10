import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assess } from './rules.ts';
import {
  foundView,
  handedOver,
  keyOf,
  type MemberId,
  readView,
  supersedes,
  takenOver,
  type View,
  withJoiner,
  withoutMembers,
} from './view.ts';

const id = (i: number): MemberId => ({ node: `pekko://A@10.0.0.${i}:17355`, uid: String(1000 + i) });
const k = (i: number) => keyOf(id(i));
/** A view founded by node 1 with nodes 2..n joined in order. */
function cluster(n: number): View {
  let v = foundView(id(1), []);
  for (let i = 2; i <= n; i++) v = withJoiner(v, id(i), ['backend']);
  return v;
}
const T = { failureTimeoutMs: 3000, downAfterMs: 10_000 };
const silence = (m: Record<number, number>) => (key: string) => {
  const i = Number(/\.(\d+):/.exec(key)?.[1]);
  return m[i] ?? 0;
};

test('views: founded, joined in age order, one per address, versions and terms', () => {
  const v = cluster(3);
  assert.equal(
    v.members.map((m) => [m.node.slice(-14), m.upNumber, m.status]),
    [
      ['10.0.0.1:17355', 1, 'Up'],
      ['10.0.0.2:17355', 2, 'Up'],
      ['10.0.0.3:17355', 3, 'Up'],
    ],
  );
  assert.equal(v.members[1]?.roles, ['backend', 'dc-default']);
  assert.is(v.version, 3);
  assert.is(withJoiner(v, id(2), []), v, 'already a member: same view');
  const restarted = withJoiner(v, { node: id(2).node, uid: '77' }, []);
  assert.equal(
    restarted.members.map((m) => m.uid),
    ['1001', '1003', '77'],
    'old incarnation replaced',
  );
  assert.is(withoutMembers(v, new Set([k(1), k(3)])).members.length, 2, 'the leader is never removed this way');
  const t = takenOver(v, k(2));
  assert.equal([t.term, t.leader], [2, k(2)]);
  const h = handedOver(v, k(2));
  assert.equal([h.term, h.leader, h.members.length], [2, k(2), 2]);
});

test('supersedes: term, then the lower leader address, then version', () => {
  const v = cluster(3);
  const v2 = withJoiner(v, id(4), []);
  assert.ok(supersedes(v2, v) && !supersedes(v, v2));
  const a = takenOver(v, k(2));
  const b = takenOver(v2, k(3));
  assert.ok(supersedes(a, b), 'same term: 10.0.0.2 is the lower leader, whatever the versions');
  assert.ok(!supersedes(b, a));
  assert.ok(supersedes(a, v2), 'higher term wins over a higher version');
});

test('readView accepts valid views and rejects malformed ones', () => {
  const v = cluster(2);
  assert.equal(readView(JSON.parse(JSON.stringify(v))), v);
  for (const bad of [
    null,
    1,
    {},
    { ...v, term: -1 },
    { ...v, leader: 'x' },
    { ...v, members: [{ node: 'x' }] },
    { ...v, members: 'x' },
  ]) {
    assert.is(readView(bad), undefined);
  }
});

test('assess: unreachable after the failure timeout, removal after down-after, gone at once', () => {
  const v = cluster(4);
  const a = assess(v, k(1), silence({ 2: 3000, 3: 10_000 }), new Set([k(4)]), T);
  assert.equal(a.unreachable.map(keyOf), [k(2), k(3)]);
  assert.equal([...a.remove].sort(), [k(3), k(4)]);
  assert.is(a.minority, false, '1 and 2 heard (2 of 3 counted: 4 is gone)');
  assert.is(a.takeOver, false, 'already the leader');
});

test('assess: minority and the oldest-member tie break', () => {
  const v = cluster(4);
  assert.is(
    assess(v, k(3), silence({ 1: 10_000, 2: 10_000 }), new Set(), T).minority,
    true,
    '2 of 4 without the oldest',
  );
  assert.is(assess(v, k(1), silence({ 3: 10_000, 4: 10_000 }), new Set(), T).minority, false, '2 of 4 with the oldest');
  assert.is(assess(v, k(4), silence({ 1: 10_000, 2: 10_000, 3: 10_000 }), new Set(), T).minority, true, 'isolated');
  assert.is(assess(cluster(1), k(1), silence({}), new Set(), T).minority, false, 'a cluster of one');
  assert.is(
    assess(v, k(4), silence({ 1: 10_000, 2: 10_000, 3: 10_000 }), new Set([k(1), k(2), k(3)]), T).minority,
    false,
    'members whose pods are gone do not count',
  );
});

test('assess: the next oldest takes over when the leader and all older members are lost and it hears a majority', () => {
  const v = cluster(5);
  assert.is(assess(v, k(2), silence({ 1: 3000 }), new Set(), T).takeOver, true);
  assert.is(assess(v, k(3), silence({ 1: 3000 }), new Set(), T).takeOver, false, '2 is older and reachable');
  assert.is(assess(v, k(3), silence({ 1: 3000, 2: 3000 }), new Set(), T).takeOver, true);
  assert.is(assess(v, k(2), silence({ 1: 2999 }), new Set(), T).takeOver, false, 'not yet');
  assert.is(assess(v, k(2), silence({ 1: 3000, 3: 3000, 4: 3000 }), new Set(), T).takeOver, false, 'minority');
  assert.is(assess(v, k(2), silence({}), new Set([k(1)]), T).takeOver, true, 'the leader pod is gone');
});

test.run();
