// The probes' GET against real sockets: kept-alive connections are reused, and one the server dropped is replaced.
import { createServer, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeHttpGet } from './probe-http.ts';

const limits = { timeoutMs: 1000, maxBytes: 1024 };
const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}';

/** A raw HTTP server: answers each request with `OK`, except that `drop(n)` resets the connection on its nth request. */
async function server(drop: (requestOnConnection: number) => boolean) {
  let connections = 0;
  const sockets = new Set<Socket>();
  const srv = createServer((socket) => {
    connections++;
    sockets.add(socket);
    let n = 0;
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString();
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        n++;
        if (drop(n)) socket.resetAndDestroy();
        else socket.write(OK);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    connections: () => connections,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

test('consecutive requests to one pod share one kept-alive connection', async () => {
  const s = await server(() => false);
  const get = makeHttpGet();
  for (let i = 0; i < 4; i++) assert.is((await get(s.url('/bootstrap/seed-nodes'), limits)).status, 200);
  assert.is(s.connections(), 1);
  s.close();
});

test('without keep-alive every request opens a connection', async () => {
  const s = await server(() => false);
  const get = makeHttpGet({ keepAlive: false });
  for (let i = 0; i < 3; i++) await get(s.url('/'), limits);
  assert.is(s.connections(), 3);
  s.close();
});

test('a kept-alive connection the server reset is replaced once, and the request answered', async () => {
  const s = await server((n) => n === 2);
  const get = makeHttpGet();
  assert.is((await get(s.url('/a'), limits)).status, 200);
  assert.is((await get(s.url('/b'), limits)).status, 200, 'sent again on a new connection');
  assert.is(s.connections(), 2);
  s.close();
});

test('a reset on a fresh connection is an error, not retried', async () => {
  const s = await server(() => true);
  const get = makeHttpGet();
  const err = await get(s.url('/a'), limits).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(err, 'rejected');
  assert.is(s.connections(), 1);
  s.close();
});

test.run();
