// One process answering like healthy Pekko nodes on many pod addresses: a listening socket per pod IP and
// management port, all handing their connections to one HTTP server that answers by the local address the
// connection came to. It counts the requests it answers (the benchmark's probe counter). Like Pekko Management it
// also serves /cluster/domain-events: the current members as MemberUp events, then a member event when a pod of the
// cluster comes or goes, and a keep-alive every 10 s (what Pekko sends; the operator holds one stream per resource).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { formatDomainEvent } from '../../agent/http/domain-events.ts';
import { DC_DEFAULT_ROLE } from '../../core/protocol/index.ts';
import { LoopbackAddresses } from './addresses.ts';
import { type Answers, clusterAnswers, nodeUid, type PodAddress } from './answers.ts';
import type { Change } from './control.ts';

export interface ResponderStats {
  /** requests answered, by path (`/bootstrap/seed-nodes`, `/cluster/members`, `/cluster/domain-events`, `other`) */
  requests: Record<string, number>;
  /** event streams open now */
  streams: number;
  /** member events written to streams (an event written to two streams counts twice; keep-alives not counted) */
  eventsSent: number;
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
  private eventsSent = 0;
  private readonly failed: Record<string, string> = {};
  /** Open connections: the HTTP server never listens itself, so it does not track them (closeAllConnections). */
  private readonly sockets = new Set<Socket>();
  /** cluster → its open /cluster/domain-events streams */
  private readonly streams = new Map<string, Set<ServerResponse>>();
  private readonly keepAlive = setInterval(() => {
    for (const set of this.streams.values()) for (const res of set) res.write('data:\n\n');
  }, 10_000);

  constructor() {
    // Pekko HTTP closes an idle connection after pekko.http.server.idle-timeout, 60 s by default; Node's default of
    // 5 s would close a kept-alive probe connection between two probes that a Pekko node keeps open.
    this.http.keepAliveTimeout = 60_000;
    this.keepAlive.unref();
  }

  /**
   * Starts answering for a pod (or updates it): binds its address, then makes it a member of its cluster (MemberUp on
   * the cluster's streams), so that a node announced as a member answers at once. Resolves once bound or failed.
   */
  async add(pod: PodAddress): Promise<Change> {
    const k = key(pod.ip, pod.port);
    const before = this.pods.get(k);
    this.pods.set(k, pod);
    if (!this.listeners.has(k)) await this.listen(pod.ip, pod.port);
    if (this.pods.get(k) !== pod) return { at: Date.now(), streams: 0 }; // removed or replaced while binding
    if (before && before.cluster !== pod.cluster) {
      this.clusters.get(before.cluster)?.delete(k);
      this.recompute(before.cluster);
    }
    this.clusters.set(pod.cluster, (this.clusters.get(pod.cluster) ?? new Set()).add(k));
    const streams = this.recompute(pod.cluster);
    return { at: Date.now(), streams };
  }

  /** Stops answering for a pod: it leaves its cluster (MemberRemoved on its streams). Undefined: no such pod. */
  remove(ip: string, port: number): Change | undefined {
    const k = key(ip, port);
    const pod = this.pods.get(k);
    if (!pod) return undefined;
    this.pods.delete(k);
    this.clusters.get(pod.cluster)?.delete(k);
    const streams = this.recompute(pod.cluster);
    const at = Date.now();
    this.listeners.get(k)?.close();
    this.listeners.delete(k);
    return { at, streams };
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
      streams: [...this.streams.values()].reduce((n, set) => n + set.size, 0),
      eventsSent: this.eventsSent,
    };
  }

  async close(): Promise<string | undefined> {
    clearInterval(this.keepAlive);
    for (const set of this.streams.values()) for (const res of set) res.destroy();
    this.streams.clear();
    for (const s of this.listeners.values()) s.close();
    this.listeners.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return this.lo.removeAll();
  }

  /** New answers for a cluster's pods; the member events written to its open streams. Returns how many streams. */
  private recompute(cluster: string): number {
    const keys = [...(this.clusters.get(cluster) ?? [])];
    const a = clusterAnswers(keys.map((k) => this.pods.get(k) as PodAddress));
    const before = new Set(this.answers.get(cluster)?.members ?? []);
    const after = new Set(a?.members ?? []);
    const changed = [
      ...[...after].filter((m) => !before.has(m)).map((m) => memberEvent('MemberUp', m)),
      ...[...before].filter((m) => !after.has(m)).map((m) => memberEvent('MemberRemoved', m)),
    ];
    if (a) this.answers.set(cluster, a);
    else {
      this.answers.delete(cluster);
      this.clusters.delete(cluster);
    }
    const open = changed.length ? [...(this.streams.get(cluster) ?? [])] : [];
    for (const res of open) res.write(changed.join(''));
    this.eventsSent += open.length * changed.length;
    return open.length;
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
    const counted =
      path === '/bootstrap/seed-nodes' || path === '/cluster/members' || path === '/cluster/domain-events'
        ? path
        : 'other';
    this.requests[counted] = (this.requests[counted] ?? 0) + 1;
    const members = pod && this.answers.get(pod.cluster)?.members;
    if (path === '/cluster/domain-events' && pod && members) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(members.map((m) => memberEvent('MemberUp', m)).join(''));
      const set = this.streams.get(pod.cluster) ?? new Set();
      this.streams.set(pod.cluster, set.add(res));
      res.on('close', () => set.delete(res));
      return;
    }
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

/**
 * One server-sent event as Pekko Management writes a member event, in the agent's encoding of it
 * (agent/http/domain-events.ts), with the uid the node's /cluster/members answers carry.
 */
function memberEvent(type: 'MemberUp' | 'MemberRemoved', node: string): string {
  const member = { node, uid: nodeUid(node), status: 'Up', upNumber: 1, roles: [DC_DEFAULT_ROLE] };
  return formatDomainEvent(
    type === 'MemberUp'
      ? { type, member }
      : { type, member: { ...member, status: 'Removed' }, previousStatus: member.status },
  );
}
