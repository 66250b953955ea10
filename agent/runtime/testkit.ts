// Test helpers for the real runtime: a CA and server certificate made with openssl, and a small HTTPS server that
// answers pod lists the way the API server does (bearer token checked against the current token file).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  /** Pods to answer with; `forbidden` makes every list a 403. */
  pods: object[];
  forbidden: boolean;
  close(): Promise<void>;
}

/** An HTTPS server answering GET /api/v1/namespaces/<ns>/pods?labelSelector=... like the API server. */
export async function fakeApi(pki: Pki, tokenPath: string): Promise<FakeApi> {
  const api: FakeApi = {
    server: undefined as unknown as Server,
    port: 0,
    tokens: [],
    pods: [],
    forbidden: false,
    close: () => new Promise((done) => api.server.close(() => done())),
  };
  api.server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    api.tokens.push(token);
    const expected = readFileSync(tokenPath, 'utf8').trim();
    res.setHeader('content-type', 'application/json');
    if (token !== expected) return void res.writeHead(401).end('{"kind":"Status","code":401}');
    if (api.forbidden) return void res.writeHead(403).end('{"kind":"Status","message":"pods is forbidden","code":403}');
    if (!req.url?.startsWith('/api/v1/namespaces/test/pods?labelSelector=app%3Dappka')) {
      return void res.writeHead(404).end('{"kind":"Status","code":404}');
    }
    res.writeHead(200).end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: api.pods }));
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
