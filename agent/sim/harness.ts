// The simulation harness: pods in the in-memory API server, each running a real Agent on its own process clock, the
// in-memory network and the in-memory API, with pino logs captured per pod; a kubelet that probes /ready. Tests drive
// it (add, kill, delete, pause pods; cut a pod off the API; restart the API server; step wall clocks) and ask it
// about clusters. Everything random comes from the seed. The ClusterMembership is created up front, as the operator
// will.
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { Agent } from '../agent.ts';
import { parseConfig } from '../config.ts';
import { TransportError } from '../errors.ts';
import { keyOf } from '../membership/record.ts';
import type { KubeApi, Ports, Timer } from '../ports.ts';
import { agentLogger } from '../runtime/logger.ts';
import { SimApi } from './api.ts';
import { ProcessClock, SIM_EPOCH } from './clock.ts';
import { SimKubelet } from './kubelet.ts';
import { SimNetwork } from './network.ts';
import { seededRandom } from './random.ts';

export const NAMESPACE = 'sim';
export const SERVICE = 'appka';

export interface SimNode {
  name: string;
  ip: string;
  clock: ProcessClock;
  agent: Agent | undefined;
  alive: boolean;
  restarts: number;
  logs: string[];
}

export interface SimOptions {
  seed: number;
  /** Agent env overrides (e.g. the required contact points). */
  env?: Record<string, string>;
  /** Per-pod env overrides, on top of `env`. */
  envFor?: (pod: string) => Record<string, string>;
  logLevel?: string;
  /** Keep pod logs (default true; the 200-member run turns them off). */
  keepLogs?: boolean;
}

/** Settles a promise inside a process: held while it is paused, dropped once it is dead. */
function inProcess<T>(clock: ProcessClock, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    p.then(
      (v) => clock.run(() => resolve(v)),
      (e) => clock.run(() => reject(e)),
    );
  });
}

export class Sim {
  /** The one time line; its monotonic time is the simulated milliseconds since the start (`t`). */
  readonly clock = new FakeClock(SIM_EPOCH, 0);
  readonly random: () => number;
  readonly net: SimNetwork;
  readonly api: SimApi;
  readonly kubelet: SimKubelet;
  readonly nodes = new Map<string, SimNode>();
  readonly #opts: SimOptions;
  readonly #ips = new Set<string>();
  readonly #monitors = new Set<() => void>();

  constructor(opts: SimOptions) {
    this.#opts = opts;
    this.random = seededRandom(opts.seed);
    this.net = new SimNetwork(this.clock, this.random);
    this.api = new SimApi(this.clock, this.random);
    this.kubelet = new SimKubelet(this.clock, this.api, this.net);
    this.api.create('clustermemberships', {
      apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
      kind: 'ClusterMembership',
      metadata: { name: SERVICE, namespace: NAMESPACE },
    });
  }

  /** Simulated milliseconds since the start. */
  get t(): number {
    return this.clock.monotonic();
  }

  /** An unused pod IP; octets above 127 are common, so Pekko's signed order matters. */
  newIP(): string {
    for (;;) {
      const o = () => Math.floor(this.random() * 256);
      const ip = `10.${o()}.${o()}.${1 + Math.floor(this.random() * 254)}`;
      if (!this.#ips.has(ip)) {
        this.#ips.add(ip);
        return ip;
      }
    }
  }

  #pod(name: string, f: (status: Record<string, unknown>, meta: Record<string, unknown>) => void): void {
    const pod = this.api.objects.pods.get(name);
    if (!pod) return;
    const status = { ...((pod.status ?? {}) as Record<string, unknown>) };
    const meta = { ...pod.metadata } as Record<string, unknown>;
    f(status, meta);
    this.api.store('pods', { ...pod, metadata: meta as typeof pod.metadata, status });
  }

  /** Creates a pod now; it is Running with an IP after `runAfterMs`, and its agent starts `startAfterMs` later. */
  addPod(name: string, runAfterMs = 0, startAfterMs = 0, ip = this.newIP()): SimNode {
    this.api.store('pods', {
      metadata: { name, namespace: NAMESPACE, labels: { app: SERVICE } },
      spec: { containers: [{ name: 'app', ports: [{ name: 'management', containerPort: 7626 }] }] },
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
    });
    const origin = Math.floor(this.random() * 1e9);
    const node: SimNode = {
      name,
      ip,
      clock: new ProcessClock(this.clock, origin),
      agent: undefined,
      alive: true,
      restarts: 0,
      logs: [],
    };
    this.nodes.set(name, node);
    this.clock.setTimeout(() => {
      this.#pod(name, (s) => {
        Object.assign(s, {
          phase: 'Running',
          podIP: ip,
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: {} }],
        });
      });
      this.kubelet.start(name, ip);
      this.clock.setTimeout(() => void this.#start(node), startAfterMs);
    }, runAfterMs);
    return node;
  }

  #ports(node: SimNode, logger: Ports['logger']): Ports {
    const { clock, ip } = node;
    const http = this.net.client(ip);
    const servers = this.net.servers();
    const api = this.api.client(ip);
    const kube: KubeApi = {
      request: (req) => inProcess(clock, api.request(req)),
      watch: (path, onEvent, onEnd) =>
        api.watch(
          path,
          (e) => clock.run(() => onEvent(e)),
          (err) => clock.run(() => onEnd(err)),
        ),
    };
    return {
      clock,
      http: {
        request: (req) =>
          node.alive ? inProcess(clock, http.request(req)) : Promise.reject(new TransportError('Network', 'dead')),
      },
      servers: {
        listen: (host, port, handler) =>
          servers.listen(host, port, (req) => new Promise((resolve) => clock.run(() => resolve(handler(req))))),
      },
      kube,
      random: this.random,
      newUid: () =>
        BigInt.asIntN(
          64,
          (BigInt(Math.floor(this.random() * 2 ** 32)) << 32n) | BigInt(Math.floor(this.random() * 2 ** 32)),
        ).toString(),
      logger,
    };
  }

  async #start(node: SimNode): Promise<void> {
    const env: Record<string, string> = {
      PEKKO_ACTOR_SYSTEM_NAME: 'Appka',
      PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME: SERVICE,
      POD_IP: node.ip,
      POD_NAME: node.name,
      KUBERNETES_NAMESPACE: NAMESPACE,
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      LOG_LEVEL: this.#opts.logLevel ?? 'info',
      ...this.#opts.env,
      ...this.#opts.envFor?.(node.name),
    };
    const config = parseConfig(env);
    const keep = this.#opts.keepLogs !== false;
    const sink = { write: (line: string) => void (keep && node.logs.push(line)) };
    const logger = agentLogger(config, { destination: sink, now: () => node.clock.now() });
    const agent = new Agent(config, this.#ports(node, logger), NAMESPACE);
    node.agent = agent;
    await agent.start();
  }

  /** The process dies at once (no leave). The pod stays in the API, Running, unless `removePod`. */
  kill(name: string, removePod = false): void {
    const node = this.nodes.get(name);
    if (!node) return;
    node.alive = false;
    node.clock.kill();
    this.net.unbindHost(node.ip);
    this.api.dropCaller(node.ip);
    if (removePod) {
      this.kubelet.stop(name);
      this.api.deleteObject('pods', name);
    }
  }

  /** The container restarts in the same pod (same IP): a new process with a new uid. */
  restart(name: string): void {
    const node = this.nodes.get(name);
    if (!node) return;
    this.kill(name);
    node.alive = true;
    node.restarts++;
    node.logs.push(`{"msg":"--- container restarted at ${this.t} ---"}\n`);
    node.clock = new ProcessClock(this.clock, Math.floor(this.random() * 1e9));
    this.#pod(name, (s) => {
      s.containerStatuses = [{ name: 'app', ready: false, restartCount: node.restarts, state: {} }];
    });
    void this.#start(node);
  }

  /** Pod deletion: the pod turns terminating, the agent gets SIGTERM (leaves), then the pod goes. */
  async deletePod(name: string, graceful = true): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    this.#pod(name, (_, meta) => {
      meta.deletionTimestamp = new Date(node.clock.now()).toISOString();
    });
    if (graceful && node.alive && node.agent) {
      let done = false;
      void node.agent.stop().then(() => {
        done = true;
      });
      await this.#advance(10_000, () => done);
    }
    this.kill(name, true);
  }

  /** SIGSTOP / SIGCONT: every callback of the process is held, then runs. */
  pause(name: string): void {
    this.nodes.get(name)?.clock.pause();
  }

  resume(name: string): void {
    this.nodes.get(name)?.clock.resume();
  }

  /**
   * Calls `check` after every simulated event (every timer, once the promise jobs it started settled) while the
   * simulation runs, until the returned function is called. For invariants that must hold at every instant.
   */
  everyEvent(check: () => void): () => void {
    this.#monitors.add(check);
    return () => this.#monitors.delete(check);
  }

  /** Moves the clock by `ms`, with the monitors after every event; stops early once `done()` holds. */
  #advance(ms: number, done: () => boolean = () => false): Promise<boolean> {
    return this.clock.advance(ms, () => {
      for (const m of this.#monitors) m();
      return done();
    });
  }

  /** Runs the simulation for `ms`, or until `done()` holds (checked every 50 simulated ms). */
  async run(ms: number, done?: () => boolean): Promise<boolean> {
    if (!done) return this.#advance(ms);
    let next = this.t;
    let ticker: Timer | undefined;
    const tick = () => {
      ticker = this.clock.setTimeout(tick, 50);
    };
    tick();
    try {
      return await this.#advance(ms, () => {
        if (this.t < next) return false;
        next = this.t + 50;
        return done();
      });
    } finally {
      ticker?.cancel();
    }
  }

  live(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  /** Cluster ids of live, running nodes that claim membership right now. */
  clusterIds(): Set<string> {
    const ids = new Set<string>();
    for (const n of this.live()) {
      if (n.clock.paused) continue;
      const m = n.agent?.membership();
      if (m?.clusterId !== undefined) ids.add(m.clusterId);
    }
    return ids;
  }

  /** Live, running nodes that claim to be the oldest member right now. */
  oldestClaims(): string[] {
    return this.live()
      .filter((n) => !n.clock.paused)
      .filter((n) => {
        const m = n.agent?.membership();
        // Whatever its phase: the picture is empty unless the agent claims membership.
        return m?.oldest !== undefined && m.oldest === m.selfNode;
      })
      .map((n) => n.name);
  }

  /**
   * True when every named node is alive and claims membership of one cluster, every one of them has exactly these
   * nodes (their current incarnations) as Up members, and none sees any member unreachable.
   */
  converged(names: readonly string[]): boolean {
    const nodes = names.map((n) => this.nodes.get(n));
    if (nodes.some((n) => !n?.alive || !n.agent || n.clock.paused)) return false;
    const pictures = nodes.map((n) => n?.agent?.membership());
    const want = pictures
      .map((p) => (p ? keyOf({ node: p.selfNode, uid: p.selfUid }) : ''))
      .sort()
      .join(',');
    const ids = new Set<string>();
    for (const p of pictures) {
      if (p?.status !== 'Up' || p.clusterId === undefined) return false;
      ids.add(p.clusterId);
      if (p.members.map(keyOf).sort().join(',') !== want) return false;
      if (p.members.some((m) => m.status !== 'Up') || p.unreachable.length > 0) return false;
    }
    return ids.size === 1;
  }

  /** How many times any node formed a new cluster. */
  foundings(): number {
    return this.logs().filter((l) => l.includes('"msg":"formed a new cluster"')).length;
  }

  logs(): string[] {
    return [...this.nodes.values()].flatMap((n) => n.logs);
  }
}
