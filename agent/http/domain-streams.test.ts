import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { EMPTY_STATE, founded, joined, keyOf, type MembershipState } from '../membership/record.ts';
import { observe, type View } from '../membership/view.ts';
import { DomainStreams } from './domain-streams.ts';

const node = (i: number) => `pekko://A@10.0.0.${i}:17355`;
const self = { node: node(1), uid: '1' };
let state: MembershipState = founded(EMPTY_STATE, { ...self, roles: [] });
const withMember = (s: MembershipState, i: number) =>
  (joined(s, { node: node(i), uid: String(i), roles: [] }) as { state: MembershipState }).state;
const viewOf = (s: MembershipState, suspects: number[] = []) =>
  observe({
    state: s,
    selfNode: self.node,
    selfKey: keyOf(self),
    suspects: new Set(suspects.map((i) => keyOf({ node: node(i), uid: String(i) }))),
  });

/** A stream as the server hands it over: what was written, and whether it ended. */
function sink() {
  const s = {
    text: '',
    ended: false,
    write(c: string) {
      s.text += c;
    },
    end() {
      s.ended = true;
    },
  };
  return s;
}
/** The event types written, keep-alives as `-`. */
const types = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => /event:(\w+)/.exec(e)?.[1] ?? '-');

test('a subscriber gets the current members first, then each change once; the keep-alive every 10 s', async () => {
  const clock = new FakeClock();
  state = withMember(state, 2);
  let view: View | undefined = viewOf(state);
  const streams = new DomainStreams(clock, () => view);
  const reply = streams.reply('/cluster/domain-events');
  assert.equal([reply.status, reply.contentType], [200, 'text/event-stream']);
  const a = sink();
  const closed = reply.open(a);
  assert.equal(types(a.text), ['MemberUp', 'MemberUp', 'LeaderChanged']);
  assert.is(streams.size, 1);

  view = viewOf(withMember(state, 3), [2]);
  streams.update(view);
  streams.update(view); // the same view again: nothing
  assert.equal(types(a.text).slice(3), ['MemberUp', 'UnreachableMember']);
  assert.match(a.text, /"address":"pekko:\/\/A@10.0.0.3:17355","longUid":3\}\},"type":"MemberUp"/);

  await clock.advance(9_999);
  assert.is(types(a.text).length, 5, 'no keep-alive before 10 s');
  await clock.advance(1);
  await clock.advance(10_000);
  assert.equal(types(a.text).slice(5), ['-', '-'], 'a keep-alive every 10 s');
  assert.ok(a.text.endsWith('data:\n\ndata:\n\n'));

  closed();
  assert.is(streams.size, 0, 'the connection closed: unsubscribed');
  const before = a.text;
  streams.update(undefined);
  await clock.advance(20_000);
  assert.is(a.text, before, 'nothing more after the connection closed');
  assert.is(clock.pending, 0, 'no keep-alive timer without streams');
});

test('a view the agent has not reported yet is caught up on subscribe; the type filter; close() ends every stream', () => {
  const clock = new FakeClock();
  let view: View | undefined;
  const streams = new DomainStreams(clock, () => view);
  const a = sink();
  streams.reply('/cluster/domain-events').open(a);
  assert.is(a.text, '', 'no members: no event (keep-alives only)');

  view = viewOf(state); // not reported through update(): the next subscriber reads it
  const b = sink();
  streams.reply('/cluster/domain-events?type=MemberRemoved&type=LeaderChanged').open(b);
  assert.equal(types(a.text), ['MemberUp', 'MemberUp', 'LeaderChanged'], 'the first subscriber gets the change too');
  assert.equal(types(b.text), ['LeaderChanged'], 'the second only what it asked for');

  streams.update(undefined);
  assert.equal(types(b.text).slice(1), ['MemberRemoved', 'MemberRemoved', 'LeaderChanged']);
  streams.close();
  assert.ok(a.ended && b.ended, 'both ended');
  assert.is(streams.size, 0);
  const late = sink();
  streams.reply('/cluster/domain-events').open(late);
  assert.ok(late.ended, 'a stream opened after close() ends at once');
});

test.run();
