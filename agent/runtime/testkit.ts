// Test helpers for the real runtime: a CA and server certificate made with openssl, and an HTTPS server in front of
// the simulation's in-memory API server (bearer token checked against the current token file).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../core/runtime/clock.ts';
import { SimApi } from '../sim/api.ts';

export interface Pki {
  dir: string;
  caPath: string;
  otherCaPath: string;
  key: Buffer;
  cert: Buffer;
}

/** A CA that signed a certificate for 127.0.0.1, and an unrelated CA. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'agent-pki-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other']) {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${ca}`,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
    );
  }
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=apiserver',
    '-keyout',
    'srv.key',
    '-out',
    'srv.csr',
  );
  ssl(
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'srv.crt',
  );
  return {
    dir,
    caPath: join(dir, 'ca.crt'),
    otherCaPath: join(dir, 'other.crt'),
    key: readFileSync(join(dir, 'srv.key')),
    cert: readFileSync(join(dir, 'srv.crt')),
  };
}

export interface FakeApi {
  server: Server;
  port: number;
  /** Tokens seen, in order. */
  tokens: string[];
  /** Pods to answer with; `forbidden` makes every request a 403. */
  pods: object[];
  forbidden: boolean;
  /** The API's objects and counters (the simulation's in-memory API server, on real time). */
  sim: SimApi;
  close(): Promise<void>;
}

/**
 * An HTTPS server in front of the simulation's in-memory API server (sim/api.ts, on real time): pod lists, the
 * ClusterMembership `appka` in namespace `test` (GET, PUT of its status with resourceVersion, watch), with the bearer
 * token checked against the current token file. It tests the real transport (TLS, token, streaming); the API's
 * behaviour is the simulation's, and the real API server is the e2e suite's.
 */
export async function fakeApi(pki: Pki, tokenPath: string): Promise<FakeApi> {
  const sim = new SimApi(systemClock, Math.random);
  sim.latencyMs = 1;
  sim.watchDelayMs = 1;
  sim.create('clustermemberships', {
    apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
    kind: 'ClusterMembership',
    metadata: { name: 'appka', namespace: 'test' },
  });
  let pods: object[] = [];
  const api: FakeApi = {
    server: undefined as unknown as Server,
    port: 0,
    tokens: [],
    get pods() {
      return pods;
    },
    set pods(list: object[]) {
      for (const name of [...sim.objects.pods.keys()]) sim.deleteObject('pods', name);
      for (const p of list) sim.store('pods', p as Parameters<SimApi['store']>[1]);
      pods = list;
    },
    forbidden: false,
    sim,
    close: () => new Promise((done) => api.server.close(() => done())),
  };
  api.server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    api.tokens.push(token);
    const expected = readFileSync(tokenPath, 'utf8').trim();
    res.setHeader('content-type', 'application/json');
    if (token !== expected) return void res.writeHead(401).end('{"kind":"Status","code":401}');
    if (api.forbidden) return void res.writeHead(403).end('{"kind":"Status","message":"forbidden","code":403}');
    const client = sim.client(req.socket.remoteAddress ?? '?');
    const path = req.url ?? '/';
    if (new URLSearchParams(path.split('?')[1] ?? '').get('watch') === '1') {
      res.writeHead(200);
      const w = client.watch(
        path,
        (e) => res.write(`${JSON.stringify(e)}\n`),
        () => res.end(),
      );
      req.on('close', () => w.close());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method === 'PUT' ? 'PUT' : 'GET';
      client.request({ method, path, body: Buffer.concat(chunks).toString('utf8'), timeoutMs: 5000 }).then(
        (r) => res.writeHead(r.status).end(r.body),
        (err: Error) => res.writeHead(500).end(JSON.stringify({ message: err.message })),
      );
    });
  });
  await new Promise<void>((done) => api.server.listen(0, '127.0.0.1', () => done()));
  api.port = (api.server.address() as AddressInfo).port;
  api.server.unref();
  return api;
}

/** A Running pod with this IP, labelled app=appka. */
export function runningPod(name: string, ip: string): object {
  return {
    metadata: { name, namespace: 'test', labels: { app: 'appka' } },
    spec: { containers: [{ name: 'app', ports: [{ name: 'management', containerPort: 7626 }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'False' }] },
  };
}
