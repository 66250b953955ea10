// The real HTTP servers: node:http, request bodies capped, any handler error answered with 500.
import { createServer } from 'node:http';
import type { HttpServers, ServerHandle } from '../ports.ts';

const MAX_REQUEST_BYTES = 256 * 1024;

export const httpServers: HttpServers = {
  listen: (host, port, handler) =>
    new Promise<ServerHandle>((resolve, reject) => {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_REQUEST_BYTES) chunks.push(c);
        });
        req.on('end', async () => {
          if (size > MAX_REQUEST_BYTES) {
            res.writeHead(413, { 'content-type': 'text/plain' }).end('Payload Too Large');
            return;
          }
          try {
            const reply = await handler({
              method: req.method ?? 'GET',
              path: req.url ?? '/',
              body: Buffer.concat(chunks).toString('utf8'),
            });
            res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
            res.end(req.method === 'HEAD' ? undefined : reply.body);
          } catch {
            res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
          }
        });
      });
      server.keepAliveTimeout = 65_000;
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve({
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            }),
        });
      });
    }),
};
