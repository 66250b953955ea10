// The API server as pods reach it: a TCP relay on the bridge's address and the API server's port, to the API
// server on 127.0.0.1 (what kube-proxy does for the `kubernetes` Service on a real node). kube-apiserver listens on
// one address only, and 0.0.0.0 would open it to the machine's networks. TLS passes through untouched: the client
// talks to the API server itself, whose certificate names the bridge's address. Pods find it through
// KUBERNETES_SERVICE_HOST/PORT. When the API server is down, the pod's connection is closed, as a refused one would be.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from './log.ts';

export interface RelayOptions {
  listenHost: string;
  port: number;
  /** where the API server listens (127.0.0.1) */
  targetHost: string;
}

function pipe(client: Socket, upstream: Socket): void {
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', end);
  upstream.on('close', end);
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Starts the relay; resolves once it listens (rejects when the address cannot be bound). */
export function startApiRelay(o: RelayOptions, log: Logger): Promise<Server> {
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: o.targetHost, port: o.port, noDelay: true });
    pipe(client, upstream);
  });
  server.on('error', (err) => log.error({ err: err.message }, 'API server relay failed'));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.listenHost, () => {
      server.off('error', reject);
      log.info({ listen: `${o.listenHost}:${o.port}`, target: `${o.targetHost}:${o.port}` }, 'API server relay');
      resolve(server);
    });
  });
}
