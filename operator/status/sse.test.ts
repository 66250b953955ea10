import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SseError, SseParser } from './sse.ts';

// Pekko Management 1.1.1's own bytes (curl on a sample app pod): an event, then a keep-alive.
const PEKKO =
  'data:{"member":{"dataCenter":"default","roles":["dc-default"],"status":"Up","uniqueAddress":{"address":"pekko://pekko-sample@198.19.45.2:17355","longUid":-6927507782756514559}},"type":"MemberUp"}\n' +
  'event:MemberUp\n\ndata:\n\n';

test("Pekko's stream: a member event and a keep-alive (empty data)", () => {
  const events = new SseParser(1024).push(PEKKO);
  assert.is(events.length, 2);
  assert.is(events[0]?.type, 'MemberUp');
  assert.is(JSON.parse(events[0]?.data ?? '').type, 'MemberUp');
  assert.equal(events[1], { type: '', data: '' });
});

// A lone \r at the end of a chunk may be half a \r\n: its line completes with the next byte (here a comment's).
test('events split anywhere across chunks, and \\r\\n or \\r line ends, parse the same', () => {
  for (const text of [PEKKO, PEKKO.replaceAll('\n', '\r\n'), PEKKO.replaceAll('\n', '\r')]) {
    const p = new SseParser(1024);
    const events = [...text, ':'].flatMap((ch) => p.push(ch));
    assert.equal(events, new SseParser(1024).push(PEKKO));
  }
});

test('comments, id and retry are skipped; multi-line data is joined; "data: x" loses one space', () => {
  const events = new SseParser(1024).push(': hello\nid: 7\nretry: 10\ndata: a\ndata:b\nevent: T\n\n');
  assert.equal(events, [{ type: 'T', data: 'a\nb' }]);
});

test('a line or an event past the limit is an error, complete or not', () => {
  assert.throws(
    () => new SseParser(16).push(`data:${'x'.repeat(20)}`),
    (e: unknown) => e instanceof SseError,
  );
  assert.throws(
    () => new SseParser(16).push(`data:${'x'.repeat(20)}\n`),
    (e: unknown) => e instanceof SseError,
  );
  assert.throws(
    () => new SseParser(16).push('data:xxxxxxxx\ndata:xxxxxxxx\n'),
    (e: unknown) => e instanceof SseError,
  );
});

test.run();
