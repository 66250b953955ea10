// The probe against a real HTTP server on 127.0.0.1 serving recorded answers: real Pekko JSON (captured from Pekko
// Management 1.1.1 nodes, core/protocol/testdata/pekko-1.1) and the malformed answers a pod may give.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { probeNode } from './probe.ts';
import { httpGet } from './probe-http.ts';

const PEKKO = new URL('../../core/protocol/testdata/pekko-1.1/', import.meta.url);
const pekko = (f: string) => readFileSync(new URL(f, PEKKO), 'utf8');

type Route = (res: import('node:http').ServerResponse) => void;
let routes: Record<string, Route> = {};
let server: Server;
let port = 0;
const limits = { timeoutMs: 300, maxBytes: 64 * 1024 };
const json =
  (body: string, status = 200): Route =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

test.before(async () => {
  server = createServer((req, res) => {
    const r = routes[req.url ?? ''];
    if (r) r(res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('The requested resource could not be found.');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
test.after(() => {
  server.closeAllConnections();
  server.close();
});
test.before.each(() => {
  routes = {};
});

const probe = () => probeNode(httpGet, '127.0.0.1', port, limits);

test('real Pekko answers: seed nodes, members, oldest (not the leader)', async () => {
  routes['/bootstrap/seed-nodes'] = json(pekko('local-cluster-seed-nodes-3-up.json'));
  routes['/cluster/members'] = json(pekko('local-cluster-members-3-up.json'));
  const { answer, error } = await probe();
  assert.is(error, undefined);
  assert.is(answer?.selfNode, 'pekko://pekko-sample@127.1.0.9:17355');
  assert.is(answer?.seedNodes.length, 3);
  assert.is(answer?.members?.oldest, 'pekko://pekko-sample@127.1.0.8:17355');
  assert.equal(
    answer?.members?.list.map((m) => m.status),
    ['Up', 'Up', 'Up'],
  );
});

test('real Pekko: unreachable members are reported', async () => {
  routes['/bootstrap/seed-nodes'] = json(pekko('seed-nodes-with-unreachable.json'));
  routes['/cluster/members'] = json(pekko('cluster-members-unreachable.json'));
  const { answer } = await probe();
  assert.ok((answer?.members?.unreachable.length ?? 0) > 0);
});

test('a node that has not joined answers empty seed nodes', async () => {
  routes['/bootstrap/seed-nodes'] = json(pekko('seed-nodes-unjoined.json'));
  routes['/cluster/members'] = json(pekko('cluster-members-unjoined.json'));
  const { answer } = await probe();
  assert.equal(answer?.seedNodes, []);
});

test('no /cluster/members route (404): seed-nodes alone is the answer', async () => {
  routes['/bootstrap/seed-nodes'] = json(pekko('seed-nodes-joined.json'));
  const { answer, error } = await probe();
  assert.ok(answer);
  assert.is(answer.members, undefined);
  assert.is(error, undefined);
});

test('an HTML error page becomes a message naming the status and type', async () => {
  routes['/bootstrap/seed-nodes'] = (res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html><body>Bad Gateway</body></html>');
  };
  const { answer, error } = await probe();
  assert.is(answer, undefined);
  assert.is(error, '/bootstrap/seed-nodes: HTTP 502 (text/html)');
});

test('HTML with status 200 and wrong types are parse errors, not crashes', async () => {
  routes['/bootstrap/seed-nodes'] = json('<html>oops</html>');
  assert.match((await probe()).error ?? '', '/bootstrap/seed-nodes');
  routes['/bootstrap/seed-nodes'] = json('{"selfNode": 42, "seedNodes": "many"}');
  assert.match((await probe()).error ?? '', '/bootstrap/seed-nodes');
  routes['/bootstrap/seed-nodes'] = json('{"selfNode":"pekko://A@10.0.0.1:17355","seedNodes":[{"node":');
  assert.match((await probe()).error ?? '', '/bootstrap/seed-nodes');
});

test('a huge body is cut off with a message', async () => {
  routes['/bootstrap/seed-nodes'] = json(`{"selfNode":"${'x'.repeat(200 * 1024)}"}`);
  assert.match((await probe()).error ?? '', 'larger than 65536 bytes');
});

test('a slow answer times out with a message', async () => {
  routes['/bootstrap/seed-nodes'] = (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"selfNode":');
    // never ends
  };
  assert.match((await probe()).error ?? '', 'no complete answer within 300 ms');
});

test('nothing listening: a network error message', async () => {
  const { error } = await probeNode(httpGet, '127.0.0.1', 1, limits);
  assert.match(error ?? '', '/bootstrap/seed-nodes');
});

test('broken members JSON keeps the seed-nodes answer and reports the error', async () => {
  routes['/bootstrap/seed-nodes'] = json(pekko('seed-nodes-joined.json'));
  routes['/cluster/members'] = json('{"members": 5}');
  const { answer, error } = await probe();
  assert.ok(answer);
  assert.match(error ?? '', '/cluster/members');
});

test.run();
