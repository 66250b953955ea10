// One process answering like healthy Pekko nodes on many pod addresses: a listening socket per pod IP and
// management port, all handing their connections to one HTTP server that answers by the local address the
// connection came to. It counts the requests it answers (the benchmark's probe counter).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { LoopbackAddresses } from './addresses.ts';
import { type Answers, clusterAnswers, type PodAddress } from './answers.ts';

export interface ResponderStats {
  /** requests answered, by path (`/bootstrap/seed-nodes`, `/cluster/members`, `other`) */
  requests: Record<string, number>;
  listening: number;
  /** addresses that could not be bound, with the reason */
  failed: Record<string, string>;
  /** addresses this process added to lo */
  addedToLo: number;
}

const key = (ip: string, port: number) => `${ip}:${port}`;

export class Responder {
  private readonly http = createHttpServer((req, res) => this.answer(req, res));
  private readonly pods = new Map<string, PodAddress>();
  /** cluster → its pods' keys */
  private readonly clusters = new Map<string, Set<string>>();
  private readonly listeners = new Map<string, Server>();
  private readonly answers = new Map<string, Answers>();
  private readonly lo = new LoopbackAddresses();
  private readonly requests: Record<string, number> = {};
  private readonly failed: Record<string, string> = {};
  /** Open connections: the HTTP server never listens itself, so it does not track them (closeAllConnections). */
  private readonly sockets = new Set<Socket>();

  constructor() {
    // Pekko HTTP closes an idle connection after pekko.http.server.idle-timeout, 60 s by default; Node's default of
    // 5 s would close a kept-alive probe connection between two probes that a Pekko node keeps open.
    this.http.keepAliveTimeout = 60_000;
  }

  /** Starts answering for a pod (or updates it). Binds its address; resolves once bound or failed. */
  async add(pod: PodAddress): Promise<void> {
    const k = key(pod.ip, pod.port);
    const before = this.pods.get(k);
    this.pods.set(k, pod);
    if (before && before.cluster !== pod.cluster) {
      this.clusters.get(before.cluster)?.delete(k);
      this.recompute(before.cluster);
    }
    this.clusters.set(pod.cluster, (this.clusters.get(pod.cluster) ?? new Set()).add(k));
    this.recompute(pod.cluster);
    if (!this.listeners.has(k)) await this.listen(pod.ip, pod.port);
  }

  remove(ip: string, port: number): void {
    const k = key(ip, port);
    const pod = this.pods.get(k);
    if (!pod) return;
    this.pods.delete(k);
    this.clusters.get(pod.cluster)?.delete(k);
    this.recompute(pod.cluster);
    this.listeners.get(k)?.close();
    this.listeners.delete(k);
  }

  /** The node the cluster formed around, as the pods report it. */
  oldest(cluster: string): string | undefined {
    return this.answers.get(cluster)?.oldest;
  }

  stats(): ResponderStats {
    return {
      requests: { ...this.requests },
      listening: this.listeners.size,
      failed: { ...this.failed },
      addedToLo: this.lo.count,
    };
  }

  async close(): Promise<string | undefined> {
    for (const s of this.listeners.values()) s.close();
    this.listeners.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return this.lo.removeAll();
  }

  private recompute(cluster: string): void {
    const keys = [...(this.clusters.get(cluster) ?? [])];
    const a = clusterAnswers(keys.map((k) => this.pods.get(k) as PodAddress));
    if (a) this.answers.set(cluster, a);
    else {
      this.answers.delete(cluster);
      this.clusters.delete(cluster);
    }
  }

  private async listen(ip: string, port: number, retried = false): Promise<void> {
    const k = key(ip, port);
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.http.emit('connection', socket);
    });
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen({ host: ip, port, backlog: 64 }, () => resolve(undefined));
    });
    if (!err) {
      delete this.failed[k];
      if (this.pods.has(k)) this.listeners.set(k, server);
      else server.close(); // removed while binding
      return;
    }
    if (err.code === 'EADDRNOTAVAIL' && !retried) {
      try {
        await this.lo.add(ip);
        return this.listen(ip, port, true);
      } catch (e) {
        this.failed[k] = (e as Error).message;
        return;
      }
    }
    this.failed[k] = `${err.code ?? ''} ${err.message}`.trim();
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const local = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
    const pod = this.pods.get(key(local, req.socket.localPort ?? 0));
    const path = (req.url ?? '').split('?')[0] ?? '';
    const counted = path === '/bootstrap/seed-nodes' || path === '/cluster/members' ? path : 'other';
    this.requests[counted] = (this.requests[counted] ?? 0) + 1;
    const bodies = pod && this.answers.get(pod.cluster)?.byIp.get(local);
    const body =
      path === '/bootstrap/seed-nodes' ? bodies?.seedNodes : path === '/cluster/members' ? bodies?.members : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }
}
