// An in-memory network on the fake clock: servers by host:port, one-way latency from the seeded PRNG, refused
// connections for unbound ports, timeouts for blocked routes (partitions) and cut-off hosts. Pod-to-pod and
// kubelet-to-pod HTTP only: the Kubernetes API is sim/api.ts. A request gets one Reply: a StreamReply
// (GET /cluster/domain-events) is answered with its headers and first body and never opened, since nothing in the
// simulation holds a stream (the operator is not simulated; the agents probe each other on /bootstrap/seed-nodes).
import type { Clock } from '../../core/runtime/clock.ts';
import { TransportError } from '../errors.ts';
import type { Handler, HttpClient, HttpServers, OutgoingRequest, Reply } from '../ports.ts';

export class SimNetwork {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #servers = new Map<string, Handler>();
  /** Hosts whose traffic is dropped (both ways): requests to or from them time out. */
  readonly hung = new Set<string>();
  /** Partitions: a request from A to B times out when blocked(A, B). */
  blocked: (from: string, to: string) => boolean = () => false;
  maxLatencyMs = 5;
  requests = 0;

  constructor(clock: Clock, random: () => number) {
    this.#clock = clock;
    this.#random = random;
  }

  servers(): HttpServers {
    return {
      listen: async (host, port, handler) => {
        const key = `${host}:${port}`;
        if (this.#servers.has(key)) throw new TransportError('Network', `EADDRINUSE ${key}`);
        this.#servers.set(key, handler);
        return {
          close: async () => {
            if (this.#servers.get(key) === handler) this.#servers.delete(key);
          },
        };
      },
    };
  }

  /** Unbinds every server of a host (the process died). */
  unbindHost(host: string): void {
    for (const key of [...this.#servers.keys()]) if (key.startsWith(`${host}:`)) this.#servers.delete(key);
  }

  client(from: string): HttpClient {
    return { request: (req) => this.#request(from, req) };
  }

  #latency(): number {
    return 1 + Math.floor(this.#random() * this.maxLatencyMs);
  }

  #request(from: string, req: OutgoingRequest): Promise<Reply> {
    this.requests++;
    return new Promise<Reply>((resolve, reject) => {
      const clock = this.#clock;
      let settled = false;
      const timeout = clock.setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new TransportError('Timeout', `request to ${req.host}:${req.port}${req.path} timed out`));
      }, req.timeoutMs);
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        timeout.cancel();
        fn();
      };
      const cut = () => this.hung.has(from) || this.hung.has(req.host) || this.blocked(from, req.host);
      if (cut()) return; // dropped: the timeout answers
      clock.setTimeout(async () => {
        const handler = this.#servers.get(`${req.host}:${req.port}`);
        if (cut()) return;
        if (!handler) {
          finish(() => reject(new TransportError('Refused', `connect ECONNREFUSED ${req.host}:${req.port}`)));
          return;
        }
        const reply = await handler({ method: req.method, path: req.path, body: req.body ?? '' });
        clock.setTimeout(() => {
          if (!cut()) finish(() => resolve(reply));
        }, this.#latency());
      }, this.#latency());
    });
  }
}
