// A tiny program for the local cluster's own tests, run as image `pbo-test-server:1` (and :2) through the image map.
// It binds $POD_IP:$PORT (default 8080) and serves:
//   /healthz  200, or 500 after GET /break-liveness
//   /ready    200 once READY_DELAY_MS have passed since start, 503 before and always when READY=false
//   /env      the process environment as JSON              /argv   process.argv as JSON
//   /sa       the service-account files it sees            /api/pods  lists its namespace's pods with its own token
// On start it logs its pid and environment; on SIGTERM it logs "SIGTERM received" and exits after TERM_DELAY_MS.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const host = process.env.POD_IP || '127.0.0.1';
const port = Number(process.env.PORT || 8080);
let live = true;
const started = Date.now();
const readyNow = () => process.env.READY !== 'false' && Date.now() - started >= Number(process.env.READY_DELAY_MS || 0);

const read = (f) => {
  try {
    return readFileSync(`${SA}/${f}`, 'utf8');
  } catch {
    return null;
  }
};

function listPods(res) {
  const token = read('token');
  const ns = read('namespace');
  const ca = read('ca.crt');
  if (!token || !ns) return send(res, 500, { error: 'no service-account files' });
  const req = https.get(
    {
      host: process.env.KUBERNETES_SERVICE_HOST,
      port: Number(process.env.KUBERNETES_SERVICE_PORT),
      path: `/api/v1/namespaces/${ns}/pods`,
      headers: { authorization: `Bearer ${token}` },
      ca,
    },
    (r) => {
      let body = '';
      r.on('data', (d) => {
        body += d;
      });
      r.on('end', () => send(res, 200, { status: r.statusCode, body: body.slice(0, 300) }));
    },
  );
  req.on('error', (err) => send(res, 500, { error: String(err) }));
}

function send(res, status, obj) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(obj)}\n`);
}

const server = http.createServer((req, res) => {
  switch (req.url) {
    case '/healthz':
      return send(res, live ? 200 : 500, { live });
    case '/break-liveness':
      live = false;
      return send(res, 200, { live });
    case '/ready':
      return send(res, readyNow() ? 200 : 503, { ready: readyNow() });
    case '/env':
      return send(res, 200, process.env);
    case '/argv':
      return send(res, 200, process.argv);
    case '/sa':
      return send(res, 200, { token: read('token') !== null, namespace: read('namespace'), ca: read('ca.crt') !== null });
    case '/api/pods':
      return listPods(res);
    default:
      return send(res, 404, { error: 'not found' });
  }
});

server.listen(port, host, () => {
  console.log(`listening on ${host}:${port} pid=${process.pid} argv=${JSON.stringify(process.argv.slice(2))}`);
  for (const k of Object.keys(process.env).sort()) console.log(`ENV ${k}=${process.env[k]}`);
});

process.on('SIGTERM', () => {
  console.log(`SIGTERM received pid=${process.pid}`);
  setTimeout(() => process.exit(0), Number(process.env.TERM_DELAY_MS || 0));
});
