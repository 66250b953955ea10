// The real Kubernetes API transport: HTTPS GET to $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT trusting ONLY
// the service-account CA, with the service-account token as bearer. Both files are read on every call, so a
// rotated token (the kubelet rewrites it before it expires) keeps working.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { AgentConfig } from '../config.ts';
import { DiscoveryError } from '../errors.ts';
import type { KubeApi, Reply } from '../ports.ts';

const MAX_POD_LIST_BYTES = 32 * 1024 * 1024;

export function kubeApi(k: AgentConfig['kubernetes']): KubeApi {
  return {
    async get(path, timeoutMs) {
      const missing = [k.apiHost ? undefined : k.apiHostEnvName, k.apiPort ? undefined : k.apiPortEnvName].filter(
        (n): n is string => n !== undefined,
      );
      if (missing.length > 0) {
        throw new DiscoveryError(
          'MissingEnv',
          `Kubernetes API server address unknown: env ${missing.join(' and ')} not set (set in every pod by Kubernetes)`,
        );
      }
      let token: string;
      let ca: Buffer;
      try {
        token = (await readFile(k.tokenPath, 'utf8')).trim();
        ca = await readFile(k.caPath);
      } catch (err) {
        throw new DiscoveryError('Credentials', `cannot read the service-account files: ${(err as Error).message}`, {
          cause: err,
        });
      }
      return new Promise<Reply>((resolve, reject) => {
        const r = request({
          host: k.apiHost,
          port: Number(k.apiPort),
          method: 'GET',
          path,
          ca, // replaces Node's default roots: only the service-account CA is trusted
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        });
        const deadline = setTimeout(() => {
          r.destroy(new DiscoveryError('Timeout', `Kubernetes API did not answer within ${timeoutMs}ms`));
        }, timeoutMs);
        r.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_POD_LIST_BYTES) r.destroy(new DiscoveryError('NotPodList', 'pod list answer too large'));
            else chunks.push(c);
          });
          res.on('end', () => {
            clearTimeout(deadline);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', () => undefined);
        });
        r.on('error', (err) => {
          clearTimeout(deadline);
          if (err instanceof DiscoveryError) reject(err);
          else {
            reject(
              new DiscoveryError(
                'Unreachable',
                `cannot reach the Kubernetes API at ${k.apiHost}:${k.apiPort}: ${err.message}`,
                {
                  cause: err,
                },
              ),
            );
          }
        });
        r.end();
      });
    },
  };
}
