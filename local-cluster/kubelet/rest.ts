// A small raw client for the API server: JSON in, JSON out, no (de)serialisation layer, so objects from lists,
// watches and writes all have the same plain shape. Credentials come from a kubeconfig via @kubernetes/client-node.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export class ApiError extends Error {
  readonly code = 'API_ERROR';
  readonly status: number;
  readonly reason: string;
  constructor(method: string, path: string, status: number, body: string, options?: ErrorOptions) {
    let reason = '';
    let message = body.slice(0, 300);
    try {
      const s = JSON.parse(body) as { reason?: string; message?: string };
      reason = s.reason ?? '';
      message = s.message ?? message;
    } catch {
      // not a Status object
    }
    super(`${method} ${path}: HTTP ${status} ${message}`, options);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
  }
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
}

export interface Rest {
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /**
   * A streaming GET (a watch): calls onLine per JSON line; resolves when the server closes it or `signal` aborts,
   * rejects when onLine throws.
   */
  stream(
    path: string,
    query: RequestOptions['query'],
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function restFromKubeconfig(file: string): Promise<Rest> {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: tls.ca, cert: tls.cert, key: tls.key });
  const base = { hostname: server.hostname, port: server.port, agent };

  function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const full = withQuery(path, opts.query);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        {
          ...base,
          method,
          path: full,
          timeout: opts.timeoutMs ?? 30000,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined
              ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve((body ? JSON.parse(body) : undefined) as T);
            else reject(new ApiError(method, path, status, body));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  function stream(path: string, query: RequestOptions['query'], onLine: (l: string) => void, signal: AbortSignal) {
    return new Promise<void>((resolve, reject) => {
      const req = https.request({ ...base, method: 'GET', path: withQuery(path, query), signal }, (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => reject(new ApiError('GET', path, res.statusCode ?? 0, body)));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            try {
              if (line) onLine(line);
            } catch (err) {
              // the handler refused an event (e.g. 410 Gone): end this stream with its error
              req.destroy();
              reject(err);
              return;
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      });
      req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      req.end();
    });
  }

  return { request, stream };
}
