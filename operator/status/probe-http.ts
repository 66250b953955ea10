// The one HTTP GET the status probes make: plain http to a pod's management port, with a deadline and a body cap, so
// that a slow, huge or hostile answer becomes an error message instead of a hung worker or a full heap.
import { request } from 'node:http';

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

export const httpGet: HttpGet = (url, { timeoutMs, maxBytes }) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { accept: 'application/json' }, agent: false }, (res) => {
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
      res.on('error', (err) => reject(err instanceof ProbeError ? err : new ProbeError('Network', err.message, err)));
    });
    // One deadline for connect, headers and body together.
    const timer = setTimeout(
      () => req.destroy(new ProbeError('Timeout', `no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => reject(err instanceof ProbeError ? err : new ProbeError('Network', err.message, err)));
    req.end();
  });
