// The one HTTP GET the status probes make: plain http to a pod's management port, with a deadline and a body cap, so
// that a slow, huge or hostile answer becomes an error message instead of a hung worker or a full heap.
//
// Connections are kept alive (one pool, makeHttpGet): a probe's two requests (seed-nodes, then members) share one
// TCP connection, and a pod probed again before its server closes the idle connection (Pekko HTTP's idle-timeout is
// 60 s; the server's Keep-Alive hint is honoured) is asked on the same one. A request on a reused connection that
// the server closed meanwhile fails before any answer; it is sent once more on a new connection.
import { Agent, type ClientRequest, request } from 'node:http';

export interface GetResult {
  status: number;
  contentType: string;
  body: string;
}

/** The port the prober uses; tests pass a fake, main passes httpGet. */
export type HttpGet = (url: string, opts: { timeoutMs: number; maxBytes: number }) => Promise<GetResult>;

export class ProbeError extends Error {
  readonly code: 'Timeout' | 'TooLarge' | 'Network';
  constructor(code: ProbeError['code'], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ProbeError';
    this.code = code;
  }
}

export interface HttpGetOptions {
  /** Keep connections alive between requests (default true). */
  keepAlive?: boolean;
  /** How long an idle kept-alive connection is kept at most (default 35 s: past the operator's slow probe interval). */
  idleMs?: number;
}

/** The probes' GET, with its own connection pool. */
export function makeHttpGet({ keepAlive = true, idleMs = 35_000 }: HttpGetOptions = {}): HttpGet {
  const agent: Agent | false = keepAlive ? new Agent({ keepAlive: true, timeout: idleMs, scheduling: 'lifo' }) : false;
  const once = (url: string, timeoutMs: number, maxBytes: number) =>
    new Promise<GetResult>((resolve, reject) => {
      const req: ClientRequest = request(
        url,
        { method: 'GET', headers: { accept: 'application/json' }, agent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              req.destroy(new ProbeError('TooLarge', `answer larger than ${maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (err) =>
            reject(err instanceof ProbeError ? err : new ProbeError('Network', err.message, err)),
          );
        },
      );
      // One deadline for connect, headers and body together.
      const timer = setTimeout(
        () => req.destroy(new ProbeError('Timeout', `no complete answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => {
        const stale =
          req.reusedSocket && !(err instanceof ProbeError) && STALE_CODES.has((err as { code?: string }).code ?? '');
        reject(
          stale
            ? new StaleConnection(err)
            : err instanceof ProbeError
              ? err
              : new ProbeError('Network', err.message, err),
        );
      });
      req.end();
    });
  return async (url, { timeoutMs, maxBytes }) => {
    try {
      return await once(url, timeoutMs, maxBytes);
    } catch (err) {
      if (!(err instanceof StaleConnection)) throw err;
      return once(url, timeoutMs, maxBytes);
    }
  };
}

/** A kept-alive connection the server had closed: the request never reached it, so it is sent again. */
class StaleConnection extends Error {
  constructor(cause: unknown) {
    super('kept-alive connection closed by the server', { cause });
  }
}
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

export const httpGet: HttpGet = makeHttpGet();
