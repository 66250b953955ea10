// The real HTTP client: plain http with keep-alive, one deadline for the whole exchange, and a cap on the answer.
import { Agent, request } from 'node:http';
import { TransportError } from '../errors.ts';
import type { HttpClient, Reply } from '../ports.ts';

/** Answers larger than this are refused (a seed-nodes answer is under 2 KiB). */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export function httpClient(): HttpClient & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 4, timeout: 30_000 });
  return {
    close: () => agent.destroy(),
    request: (req) =>
      new Promise<Reply>((resolve, reject) => {
        const body = req.body === undefined ? undefined : Buffer.from(req.body);
        const r = request({
          agent,
          host: req.host,
          port: req.port,
          method: req.method,
          path: req.path,
          headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
        });
        const deadline = setTimeout(() => {
          r.destroy(
            new TransportError(
              'Timeout',
              `${req.method} ${req.host}:${req.port}${req.path} timed out after ${req.timeoutMs}ms`,
            ),
          );
        }, req.timeoutMs);
        r.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER_BYTES)
              r.destroy(new TransportError('TooLarge', `answer from ${req.host}:${req.port} is too large`));
            else chunks.push(c);
          });
          res.on('end', () => {
            clearTimeout(deadline);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', () => undefined); // the request's error handler reports it
        });
        r.on('error', (err: Error & { code?: string }) => {
          clearTimeout(deadline);
          if (err instanceof TransportError) reject(err);
          else if (err.code === 'ECONNREFUSED') reject(new TransportError('Refused', err.message, { cause: err }));
          else reject(new TransportError('Network', err.message, { cause: err }));
        });
        r.end(body);
      }),
  };
}
