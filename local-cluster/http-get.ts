// A small GET for health checks (etcd /health, the API server's /readyz, the controllers' /healthz).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface GetOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** skip server certificate checks (the controllers serve self-signed certificates on 127.0.0.1) */
  insecure?: boolean;
  timeoutMs?: number;
}

/** Resolves with the status and body; rejects on connection errors and timeouts. */
export function httpGet(url: string, o: GetOptions = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const tls =
    u.protocol === 'https:'
      ? {
          ca: o.caFile ? readFileSync(o.caFile) : undefined,
          cert: o.certFile ? readFileSync(o.certFile) : undefined,
          key: o.keyFile ? readFileSync(o.keyFile) : undefined,
          rejectUnauthorized: !o.insecure,
        }
      : {};
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { ...tls, timeout: o.timeoutMs ?? 3000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${o.timeoutMs ?? 3000}ms`)));
    req.on('error', reject);
  });
}
