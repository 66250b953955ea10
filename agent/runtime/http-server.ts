// The real HTTP servers: node:http, request bodies capped, any handler error answered with 500. A StreamReply's
// body stays open (chunked) until the handler ends it or the connection closes; a peer that stops reading is cut off
// once MAX_PENDING_BYTES wait for it (Pekko fails such a stream once its buffer is full).
import { createServer, type ServerResponse } from 'node:http';
import type { HttpServers, Reply, ServerHandle, StreamReply } from '../ports.ts';

const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_PENDING_BYTES = 1024 * 1024;

function openStream(res: ServerResponse, reply: StreamReply): void {
  const closed = reply.open({
    write: (chunk) => {
      if (res.writableEnded || res.destroyed) return;
      if (!res.write(chunk) && res.writableLength > MAX_PENDING_BYTES) res.destroy();
    },
    end: () => {
      if (!res.writableEnded) res.end();
    },
  });
  res.once('close', closed);
}

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
            if (req.method === 'HEAD') res.end();
            else if (isStream(reply)) {
              res.flushHeaders(); // the peer learns at once that the stream is open, before any event
              if (reply.body) res.write(reply.body);
              openStream(res, reply);
            } else res.end(reply.body);
          } catch {
            if (res.headersSent) res.destroy();
            else res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
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

const isStream = (r: Reply | StreamReply): r is StreamReply => 'open' in r;
