// The domain-events stream client against a real HTTP server on 127.0.0.1: each way a peer can answer ends the
// stream with its reason, once, and never throws.
import { createServer, type ServerResponse } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEventStream, type StreamEnd, type StreamLimits } from './event-stream.ts';

const MEMBER_UP =
  'data:{"member":{"status":"Up","uniqueAddress":{"address":"pekko://s@10.0.0.1:17355","longUid":1}},"type":"MemberUp"}\nevent:MemberUp\n\n';
const LEADER = 'data:{"address":"pekko://s@10.0.0.1:17355","type":"LeaderChanged"}\nevent:LeaderChanged\n\n';
const limits: StreamLimits = { connectTimeoutMs: 1000, idleMs: 1000, maxLine: 1024 };

const servers: (() => void)[] = [];
// Also after a failed assertion: an open server would keep the test process from exiting.
test.after.each(() => {
  for (const close of servers.splice(0)) close();
});

/** A server whose one route is `serve`; returns the URL. */
async function server(serve: (res: ServerResponse) => void) {
  const srv = createServer((_req, res) => serve(res));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const close = () => {
    srv.closeAllConnections();
    srv.close();
  };
  servers.push(close);
  return { url: `http://127.0.0.1:${port}/cluster/domain-events`, close };
}

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });

/** Opens a stream and records what it reports until it ends (or `untilMs` passes). */
async function run(url: string, l: StreamLimits = limits, untilMs = 3000) {
  const seen = { opened: false, events: [] as string[], ends: [] as [StreamEnd, string][] };
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, untilMs);
    openEventStream(
      url,
      {
        onOpen: () => (seen.opened = true),
        onEvents: (events) => seen.events.push(...events.map((e) => `${e.type} ${e.address ?? '-'}`)),
        onEnd: (reason, message) => {
          seen.ends.push([reason, message]);
          clearTimeout(timer);
          // Any second onEnd would land within this turn.
          setTimeout(resolve, 50);
        },
      },
      l,
    );
  });
  return seen;
}

test('events are passed on, keep-alives are not; the end of the stream is Closed', async () => {
  const s = await server((res) => {
    sse(res);
    res.write(MEMBER_UP);
    res.write('data:\n\n');
    setTimeout(() => res.end(LEADER), 50);
  });
  const seen = await run(s.url);
  assert.ok(seen.opened);
  assert.equal(seen.events, ['MemberUp pekko://s@10.0.0.1:17355', 'LeaderChanged pekko://s@10.0.0.1:17355']);
  assert.equal(
    seen.ends.map(([r]) => r),
    ['Closed'],
  );
  s.close();
});

test('404 is NotServed; another status is HttpStatus; not an event stream is Garbage', async () => {
  for (const [serve, reason] of [
    [(res: ServerResponse) => res.writeHead(404).end('The requested resource could not be found.'), 'NotServed'],
    [(res: ServerResponse) => res.writeHead(500).end(), 'HttpStatus'],
    [(res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'), 'Garbage'],
  ] as const) {
    const s = await server(serve);
    const seen = await run(s.url);
    assert.not.ok(seen.opened);
    assert.equal(
      seen.ends.map(([r]) => r),
      [reason],
    );
    s.close();
  }
});

test('garbage in the stream ends it: data that is not a member event', async () => {
  const s = await server((res) => {
    sse(res);
    res.write(MEMBER_UP);
    res.write('data:<html>not json</html>\n\n');
  });
  const seen = await run(s.url);
  assert.equal(seen.events, ['MemberUp pekko://s@10.0.0.1:17355']);
  assert.equal(
    seen.ends.map(([r]) => r),
    ['Garbage'],
  );
  s.close();
});

test('a huge line without an end ends the stream as TooLarge, long before it is all read', async () => {
  let written = 0;
  const s = await server((res) => {
    sse(res);
    const chunk = 'x'.repeat(64 * 1024);
    const pump = () => {
      while (written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
      if (written < 64 * 1024 * 1024) res.once('drain', pump);
    };
    res.write('data:');
    pump();
  });
  const seen = await run(s.url);
  assert.equal(
    seen.ends.map(([r]) => r),
    ['TooLarge'],
  );
  assert.ok(written < 16 * 1024 * 1024, `stopped reading (${written} bytes written)`);
  s.close();
});

test('silence past idleMs is Idle; no headers within connectTimeoutMs is Timeout; a refused connection is Network', async () => {
  const quiet = await server((res) => {
    sse(res);
    res.flushHeaders();
  });
  assert.equal(
    (await run(quiet.url, { ...limits, idleMs: 200 })).ends.map(([r]) => r),
    ['Idle'],
  );
  quiet.close();
  const mute = await server(() => {});
  assert.equal(
    (await run(mute.url, { ...limits, connectTimeoutMs: 200 })).ends.map(([r]) => r),
    ['Timeout'],
  );
  mute.close();
  const refused = await run('http://127.0.0.1:1/cluster/domain-events');
  assert.equal(
    refused.ends.map(([r]) => r),
    ['Network'],
  );
});

test('close() ends the stream without a report', async () => {
  let closed = false;
  const s = await server((res) => {
    sse(res);
    res.write(MEMBER_UP);
    res.on('close', () => (closed = true));
  });
  const ends: StreamEnd[] = [];
  const handle = openEventStream(
    s.url,
    { onOpen() {}, onEvents: () => handle.close(), onEnd: (r) => ends.push(r) },
    limits,
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(closed, 'the server saw the connection close');
  assert.equal(ends, []);
  s.close();
});

test.run();
