import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type DomainEvent,
  domainEvents,
  EMPTY_PICTURE,
  formatDomainEvent,
  KEEP_ALIVE,
  memberChanges,
  type Picture,
  type PictureMember,
  typeFilter,
} from './domain-events.ts';

const node = (i: number) => `pekko://A@10.0.0.${i}:17355`;
const m = (i: number, status = 'Up', uid = String(i)): PictureMember => ({
  node: node(i),
  uid,
  status,
  upNumber: i,
  roles: ['dc-default'],
});
const picture = (members: PictureMember[], unreachable: number[] = [], leader?: number): Picture => ({
  members,
  unreachable: unreachable.map(node),
  leader: leader === undefined ? undefined : node(leader),
});
/** Each event as `Type address` (the leader's for LeaderChanged, '-' for none). */
const brief = (es: DomainEvent[]) =>
  es.map((e) => `${e.type} ${'member' in e ? e.member.node.slice(-14) : (e.leader?.slice(-14) ?? '-')}`);

test('on subscribe, the current state as events (Pekko InitialStateAsEvents): members by status, unreachable, leader', () => {
  const now = picture([m(1), m(2), m(3, 'Leaving'), m(4, 'Joining'), m(5, 'WeaklyUp')], [2], 1);
  assert.equal(brief(domainEvents(EMPTY_PICTURE, now)), [
    'MemberUp 10.0.0.1:17355',
    'MemberUp 10.0.0.2:17355',
    'MemberLeft 10.0.0.3:17355',
    'MemberJoined 10.0.0.4:17355',
    'MemberWeaklyUp 10.0.0.5:17355',
    'UnreachableMember 10.0.0.2:17355',
    'LeaderChanged 10.0.0.1:17355',
  ]);
  assert.equal(domainEvents(EMPTY_PICTURE, EMPTY_PICTURE), [], 'no members: nothing');
});

test('changes: removals first (previous status kept), then new and changed members, reachability, the leader', () => {
  const before = picture([m(1), m(2), m(3)], [3], 1);
  const after = picture([m(2, 'Leaving'), m(3), m(4), m(5, 'Up', '55')], [], 2);
  const events = domainEvents(before, after);
  assert.equal(brief(events), [
    'MemberRemoved 10.0.0.1:17355',
    'MemberUp 10.0.0.4:17355',
    'MemberUp 10.0.0.5:17355',
    'MemberLeft 10.0.0.2:17355',
    'ReachableMember 10.0.0.3:17355',
    'LeaderChanged 10.0.0.2:17355',
  ]);
  const removed = events[0] as { member: PictureMember; previousStatus: string };
  assert.equal([removed.member.status, removed.previousStatus], ['Removed', 'Up']);
  assert.equal(domainEvents(after, after), [], 'the same picture: no event');
  // A new incarnation on the same address is another member: the old one removed, the new one up.
  assert.equal(brief(domainEvents(picture([m(1)]), picture([m(1, 'Up', '77')]))), [
    'MemberRemoved 10.0.0.1:17355',
    'MemberUp 10.0.0.1:17355',
  ]);
  // Everyone gone (the node stopped claiming membership), and the leader with them.
  assert.equal(brief(domainEvents(picture([m(1), m(2)], [2], 1), EMPTY_PICTURE)), [
    'MemberRemoved 10.0.0.1:17355',
    'MemberRemoved 10.0.0.2:17355',
    'LeaderChanged -',
  ]);
  // A member unreachable in the new picture, and an unreachable one removed: no Reachable event for it.
  assert.equal(brief(domainEvents(picture([m(1), m(2), m(3)], [3]), picture([m(1), m(2)], [2]))), [
    'MemberRemoved 10.0.0.3:17355',
    'UnreachableMember 10.0.0.2:17355',
  ]);
});

test('memberChanges: added, changed (status or upNumber), removed, by address and uid', () => {
  const c = memberChanges([m(1), m(2), m(3)], [{ ...m(2), upNumber: 9 }, m(3), m(4)]);
  assert.equal(
    [c.added, c.changed, c.removed].map((l) => l.map((x) => x.node)),
    [[node(4)], [node(2)], [node(1)]],
  );
});

test("the wire format is Pekko Management's, byte for byte: data JSON with sorted keys, event type, blank line", () => {
  const big = m(1, 'Up', '-2440990093160003086');
  assert.is(
    formatDomainEvent({ type: 'MemberUp', member: big }),
    'data:{"member":{"dataCenter":"default","roles":["dc-default"],"status":"Up","uniqueAddress":' +
      '{"address":"pekko://A@10.0.0.1:17355","longUid":-2440990093160003086}},"type":"MemberUp"}\nevent:MemberUp\n\n',
  );
  assert.is(
    formatDomainEvent({ type: 'MemberRemoved', member: { ...m(2), status: 'Removed' }, previousStatus: 'Leaving' }),
    'data:{"member":{"dataCenter":"default","roles":["dc-default"],"status":"Removed","uniqueAddress":' +
      '{"address":"pekko://A@10.0.0.2:17355","longUid":2}},"previousStatus":"Leaving","type":"MemberRemoved"}\n' +
      'event:MemberRemoved\n\n',
  );
  assert.is(
    formatDomainEvent({ type: 'LeaderChanged', leader: node(3) }),
    'data:{"address":"pekko://A@10.0.0.3:17355","type":"LeaderChanged"}\nevent:LeaderChanged\n\n',
  );
  assert.is(
    formatDomainEvent({ type: 'LeaderChanged', leader: undefined }),
    'data:{"type":"LeaderChanged"}\nevent:LeaderChanged\n\n',
  );
  const dc = formatDomainEvent({ type: 'UnreachableMember', member: { ...m(4), roles: ['backend', 'dc-east'] } });
  assert.match(dc, /^data:\{"member":\{"dataCenter":"east","roles":\["backend","dc-east"\]/);
  assert.is(KEEP_ALIVE, 'data:\n\n');
});

test('the type parameter: none or ClusterDomainEvent is everything; names and groups select; unknown names none', () => {
  const all = typeFilter('/cluster/domain-events');
  assert.ok(all('MemberUp') && all('LeaderChanged'));
  assert.ok(typeFilter('/cluster/domain-events?type=ClusterDomainEvent')('ReachableMember'));
  const some = typeFilter('/cluster/domain-events?type=MemberUp&type=ReachabilityEvent&type=Nonsense');
  assert.equal(['MemberUp', 'MemberRemoved', 'UnreachableMember', 'ReachableMember', 'LeaderChanged'].map(some), [
    true,
    false,
    true,
    true,
    false,
  ]);
  const members = typeFilter('/cluster/domain-events?type=MemberEvent');
  assert.equal(['MemberLeft', 'MemberRemoved', 'UnreachableMember'].map(members), [true, true, false]);
  const none = typeFilter('/cluster/domain-events?type=constructor&type=RoleLeaderChanged');
  assert.equal(['MemberUp', 'LeaderChanged', 'constructor'].map(none), [false, false, false]);
});

test.run();
