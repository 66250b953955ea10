// The stream holder with a fake stream opener and a fake clock: one stream per resource, moved when its pod goes,
// retried with backoff after a failure (rarely after a 404), capped across resources.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import type { OpenStream, StreamEnd, StreamHandlers } from './event-stream.ts';
import { EventStreams, type StreamCandidate } from './event-streams.ts';

/** Every stream opened, with its handlers and whether it was closed by the holder. */
function opener() {
  const opened: { url: string; h: StreamHandlers; closed: boolean }[] = [];
  const open: OpenStream = (url, h) => {
    const s = { url, h, closed: false };
    opened.push(s);
    return { close: () => (s.closed = true) };
  };
  return { open, opened, last: () => opened[opened.length - 1] as (typeof opened)[number] };
}

const pod = (name: string, ip: string): StreamCandidate => ({
  pod: name,
  incarnation: `${name}/${ip}`,
  host: ip,
  port: 7626,
});
const A = pod('a', '10.0.0.1');
const B = pod('b', '10.0.0.2');

function setup(opts: { maxStreams?: number } = {}) {
  const clock = new FakeClock();
  const o = opener();
  const ends: StreamEnd[] = [];
  let events = 0;
  const streams = new EventStreams({
    open: o.open,
    clock,
    metrics: { events: (n) => (events += n), ended: (r) => ends.push(r) },
    ...opts,
  });
  const changes: string[] = [];
  const follow = (key: string, c: StreamCandidate[]) => streams.follow(key, c, () => changes.push(key));
  return { clock, o, streams, ends, changes, follow, events: () => events };
}

test('one stream per resource, to the first candidate; live once answered; events call onChange', () => {
  const { o, follow, changes, streams, events } = setup();
  assert.is(follow('ns/x', [A, B]), false);
  assert.is(follow('ns/x', [A, B]), false, 'not live before it answers');
  assert.is(o.opened.length, 1);
  assert.is(o.last().url, 'http://10.0.0.1:7626/cluster/domain-events');
  o.last().h.onOpen();
  assert.is(follow('ns/x', [A, B]), true);
  o.last().h.onEvents([{ type: 'MemberUp' }, { type: 'LeaderChanged' }]);
  assert.equal(changes, ['ns/x']);
  assert.is(events(), 2);
  assert.is(streams.open, 1);
});

test('the stream moves when its pod is no longer a candidate (replaced, gone), without a backoff', () => {
  const { o, follow } = setup();
  follow('ns/x', [A, B]);
  o.last().h.onOpen();
  assert.is(follow('ns/x', [{ ...A, incarnation: 'a/new' }, B]), false);
  assert.ok(o.opened[0]?.closed);
  assert.is(o.opened.length, 2);
  assert.is(o.last().url, 'http://10.0.0.1:7626/cluster/domain-events', 'the new incarnation of a');
});

test('a live stream that ends calls onChange and is retried soon on the next pod; failures back off', async () => {
  const { o, follow, changes, clock, ends } = setup();
  follow('ns/x', [A, B]);
  o.last().h.onOpen();
  o.last().h.onEnd('Closed', 'gone');
  assert.equal(changes, ['ns/x'], 'a lost live stream: look now');
  assert.equal(ends, ['Closed']);
  await clock.advance(2000);
  assert.is(o.opened.length, 2);
  assert.is(o.last().url, 'http://10.0.0.2:7626/cluster/domain-events');
  // Connection failures: 4 s, then 8 s; no onChange for a stream that never was live.
  o.last().h.onEnd('Network', 'refused');
  await clock.advance(3999);
  assert.is(o.opened.length, 2);
  await clock.advance(1);
  assert.is(o.opened.length, 3);
  o.last().h.onEnd('Network', 'refused');
  await clock.advance(7999);
  assert.is(o.opened.length, 3);
  await clock.advance(1);
  assert.is(o.opened.length, 4);
  assert.equal(changes, ['ns/x']);
  // A follow() during the backoff opens nothing.
  o.last().h.onEnd('Network', 'refused');
  follow('ns/x', [A, B]);
  assert.is(o.opened.length, 4);
});

test('a 404 (route not served) is tried again only after notServedMs', async () => {
  const { o, follow, clock } = setup();
  follow('ns/x', [A, B]);
  o.last().h.onEnd('NotServed', 'HTTP 404');
  await clock.advance(599_000);
  follow('ns/x', [A, B]);
  assert.is(o.opened.length, 1);
  await clock.advance(1000);
  assert.is(o.opened.length, 2);
});

test('at most maxStreams at once across resources; forget closes and frees a slot', () => {
  const { o, follow, streams } = setup({ maxStreams: 1 });
  follow('ns/x', [A]);
  follow('ns/y', [B]);
  assert.is(o.opened.length, 1);
  streams.forget('ns/x');
  assert.ok(o.opened[0]?.closed);
  assert.is(streams.open, 0);
  follow('ns/y', [B]);
  assert.is(o.opened.length, 2);
  // Reports of a dropped stream are ignored.
  o.opened[0]?.h.onEvents([{ type: 'MemberUp' }]);
  o.opened[0]?.h.onEnd('Closed', 'late');
  assert.is(streams.open, 1);
});

test('no candidates: nothing opened, and a held stream is dropped', () => {
  const { o, follow, streams } = setup();
  assert.is(follow('ns/x', []), false);
  assert.is(o.opened.length, 0);
  follow('ns/x', [A]);
  follow('ns/x', []);
  assert.ok(o.last().closed);
  assert.is(streams.open, 0);
});

test.run();
