// The real Kubernetes API transport: HTTPS to $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT trusting ONLY the
// service-account CA, with the service-account token as bearer. Both files are read on every call, so a rotated token
// (the kubelet rewrites it before it expires) keeps working. request() for GET and PUT; watch() for a stream of
// newline-delimited JSON events.

import { readFile } from 'node:fs/promises';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AgentConfig } from '../config.ts';
import { DiscoveryError } from '../errors.ts';
import type { KubeApi, KubeRequest, Reply, WatchHandle } from '../ports.ts';

/** Answers (and single watch events) larger than this are refused. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

type Kube = AgentConfig['kubernetes'];

async function credentials(k: Kube): Promise<{ token: string; ca: Buffer }> {
  const missing = [k.apiHost ? undefined : k.apiHostEnvName, k.apiPort ? undefined : k.apiPortEnvName].filter(
    (n): n is string => n !== undefined,
  );
  if (missing.length > 0) {
    throw new DiscoveryError(
      'MissingEnv',
      `Kubernetes API server address unknown: env ${missing.join(' and ')} not set (set in every pod by Kubernetes)`,
    );
  }
  try {
    return { token: (await readFile(k.tokenPath, 'utf8')).trim(), ca: await readFile(k.caPath) };
  } catch (err) {
    throw new DiscoveryError('Credentials', `cannot read the service-account files: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function open(k: Kube, c: { token: string; ca: Buffer }, method: string, path: string, body?: Buffer): ClientRequest {
  return httpsRequest({
    host: k.apiHost,
    port: Number(k.apiPort),
    method,
    path,
    ca: c.ca, // replaces Node's default roots: only the service-account CA is trusted
    headers: {
      authorization: `Bearer ${c.token}`,
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
    },
  });
}

const unreachable = (k: Kube, err: Error) =>
  err instanceof DiscoveryError
    ? err
    : new DiscoveryError(
        'Unreachable',
        `cannot reach the Kubernetes API at ${k.apiHost}:${k.apiPort}: ${err.message}`,
        {
          cause: err,
        },
      );

export function kubeApi(k: Kube): KubeApi {
  return {
    async request(req: KubeRequest): Promise<Reply> {
      const c = await credentials(k);
      const body = req.body === undefined ? undefined : Buffer.from(req.body);
      return new Promise<Reply>((resolve, reject) => {
        const r = open(k, c, req.method, req.path, body);
        const deadline = setTimeout(() => {
          r.destroy(new DiscoveryError('Timeout', `Kubernetes API did not answer within ${req.timeoutMs}ms`));
        }, req.timeoutMs);
        r.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) r.destroy(new DiscoveryError('NotPodList', 'Kubernetes API answer too large'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            clearTimeout(deadline);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', () => undefined); // the request's error handler reports it
        });
        r.on('error', (err) => {
          clearTimeout(deadline);
          reject(unreachable(k, err));
        });
        r.end(body);
      });
    },

    watch(path, onEvent, onEnd): WatchHandle {
      let closed = false;
      let r: ClientRequest | undefined;
      const end = (err?: Error) => {
        if (closed) return;
        closed = true;
        r?.destroy();
        onEnd(err);
      };
      credentials(k).then((c) => {
        if (closed) return;
        r = open(k, c, 'GET', path);
        r.on('response', (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => end(new Error(`watch answered ${res.statusCode}: ${Buffer.concat(chunks)}`)));
            return;
          }
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            pending += chunk;
            if (pending.length > MAX_ANSWER_BYTES) return end(new Error('watch event too large'));
            for (let nl = pending.indexOf('\n'); nl >= 0 && !closed; nl = pending.indexOf('\n')) {
              const line = pending.slice(0, nl).trim();
              pending = pending.slice(nl + 1);
              if (line === '') continue;
              try {
                onEvent(JSON.parse(line));
              } catch (err) {
                return end(new Error(`watch event is not JSON: ${(err as Error).message}`));
              }
            }
          });
          res.on('end', () => end());
          res.on('error', (err) => end(err));
        });
        r.on('error', (err) => end(unreachable(k, err)));
        r.end();
      }, end);
      return {
        close: () => {
          closed = true;
          r?.destroy();
        },
      };
    },
  };
}
