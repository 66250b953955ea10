// A pod for the network suite (test-e2e/suites/network.e2e.ts), run as image `pbo-net-peer:1` through the image map.
// It binds $BIND (default 0.0.0.0, as many apps do) on $PORT (HTTP, default 8080) and $ECHO_PORT (a TCP echo,
// default 9000), and serves, so that the test (on the host) can drive TCP from inside the pod:
//   /whoami                          {name, ip}
//   /dial?host=H&port=P&ms=T         a fresh TCP connection from this pod: {ok, ms} or {ok: false, error, ms}
//   /open?host=H&port=P              a long-lived connection to an echo port: {id}
//   /send?id=N&msg=M                 writes M and a newline on it
//   /received?id=N                   {data}: what came back on it so far
//   /echoed                          {data}: what this pod's echo port received, from everyone
//   /api?ms=T                        lists its namespace's pods with its service-account token: {status} or {error}
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const bind = process.env.BIND || '0.0.0.0';
const port = Number(process.env.PORT || 8080);
const echoPort = Number(process.env.ECHO_PORT || 9000);
const conns = new Map();
let echoed = '';

net
  .createServer((s) => {
    s.on('data', (d) => {
      echoed += d;
      s.write(d);
    });
    s.on('error', () => {});
  })
  .listen(echoPort, bind);

function send(res, status, obj) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(obj)}\n`);
}

function dial(q, res) {
  const t0 = Date.now();
  const s = net.connect({ host: q.get('host'), port: Number(q.get('port')) });
  s.setTimeout(Number(q.get('ms') || 2000));
  const done = (r) => {
    s.destroy();
    send(res, 200, { ...r, ms: Date.now() - t0 });
  };
  s.once('connect', () => done({ ok: true }));
  s.once('timeout', () => done({ ok: false, error: 'ETIMEDOUT' }));
  s.once('error', (err) => done({ ok: false, error: err.code || String(err) }));
}

function open(q, res) {
  const id = String(conns.size + 1);
  const c = { socket: net.connect({ host: q.get('host'), port: Number(q.get('port')) }), data: '', error: null };
  c.socket.on('data', (d) => {
    c.data += d;
  });
  c.socket.on('error', (err) => {
    c.error = err.code || String(err);
  });
  conns.set(id, c);
  c.socket.once('connect', () => send(res, 200, { id }));
  c.socket.once('error', (err) => send(res, 500, { error: err.code || String(err) }));
}

function api(q, res) {
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  const token = readFileSync(`${sa}/token`, 'utf8');
  const ns = readFileSync(`${sa}/namespace`, 'utf8');
  const req = https.get({
    host: process.env.KUBERNETES_SERVICE_HOST,
    port: Number(process.env.KUBERNETES_SERVICE_PORT),
    path: `/api/v1/namespaces/${ns}/pods`,
    headers: { authorization: `Bearer ${token}` },
    ca: readFileSync(`${sa}/ca.crt`),
    timeout: Number(q.get('ms') || 3000),
    agent: false,
  });
  req.on('response', (r) => {
    r.resume();
    send(res, 200, { status: r.statusCode });
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  req.on('error', (err) => send(res, 200, { error: err.code || String(err) }));
}

http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    const c = conns.get(q.get('id'));
    switch (url.pathname) {
      case '/whoami':
        return send(res, 200, { name: process.env.HOSTNAME, ip: process.env.POD_IP });
      case '/dial':
        return dial(q, res);
      case '/open':
        return open(q, res);
      case '/send':
        if (!c) return send(res, 404, { error: 'no such connection' });
        c.socket.write(`${q.get('msg')}\n`);
        return send(res, 200, { sent: true });
      case '/received':
        if (!c) return send(res, 404, { error: 'no such connection' });
        return send(res, 200, { data: c.data, error: c.error });
      case '/echoed':
        return send(res, 200, { data: echoed });
      case '/api':
        return api(q, res);
      default:
        return send(res, 404, { error: 'not found' });
    }
  })
  .listen(port, bind, () => console.log(`net-peer ${process.env.HOSTNAME} on ${bind}:${port} and :${echoPort}`));

process.on('SIGTERM', () => process.exit(0));
