// The simulation harness: pods in an in-memory API, each running a real Agent on the fake clock and the in-memory
// network, with pino logs captured per pod. Tests drive it (add, kill, delete pods; partitions; API failures) and
// ask it about clusters. Everything random comes from the seed.
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { Agent } from '../agent.ts';
import { parseConfig } from '../config.ts';
import { TransportError } from '../errors.ts';
import { keyOf } from '../membership/view.ts';
import type { Ports } from '../ports.ts';
import { agentLogger } from '../runtime/logger.ts';
import { NodeClock } from './clock.ts';
import { SimKube, type SimPod } from './kube.ts';
import { SimNetwork } from './network.ts';
import { seededRandom } from './random.ts';

export const NAMESPACE = 'sim';
export const SERVICE = 'appka';

export interface SimNode {
  name: string;
  ip: string;
  pod: SimPod;
  clock: NodeClock;
  agent: Agent | undefined;
  alive: boolean;
  logs: string[];
}

export interface SimOptions {
  seed: number;
  /** Agent env overrides (e.g. the required contact points). */
  env?: Record<string, string>;
  logLevel?: string;
}

export class Sim {
  readonly clock = new FakeClock();
  readonly random: () => number;
  readonly net: SimNetwork;
  readonly kube: SimKube;
  readonly nodes = new Map<string, SimNode>();
  readonly #opts: SimOptions;
  readonly #ips = new Set<string>();

  constructor(opts: SimOptions) {
    this.#opts = opts;
    this.random = seededRandom(opts.seed);
    this.net = new SimNetwork(this.clock, this.random);
    this.kube = new SimKube(this.clock);
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

  /** Creates a pod now; it is Running with an IP after `runAfterMs`, and its agent starts `startAfterMs` later. */
  addPod(name: string, runAfterMs = 0, startAfterMs = 0, ip = this.newIP()): SimNode {
    const pod: SimPod = {
      metadata: { name, namespace: NAMESPACE, labels: { app: SERVICE } },
      spec: { containers: [{ name: 'app', ports: [{ name: 'management', containerPort: 7626 }] }] },
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
    };
    const node: SimNode = { name, ip, pod, clock: new NodeClock(this.clock), agent: undefined, alive: true, logs: [] };
    this.nodes.set(name, node);
    this.kube.pods.set(name, pod);
    node.clock.setTimeout(() => {
      pod.status = { ...pod.status, phase: 'Running', podIP: ip, containerStatuses: [{ name: 'app', state: {} }] };
      node.clock.setTimeout(() => void this.#start(node), startAfterMs);
    }, runAfterMs);
    return node;
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
    };
    const config = parseConfig(env);
    const sink = { write: (line: string) => void node.logs.push(line) };
    const logger = agentLogger(config, { destination: sink, now: () => this.clock.now() });
    const dead = () => Promise.reject(new TransportError('Network', 'this process is dead'));
    const http = this.net.client(node.ip);
    const kube = this.kube.api(node.ip);
    const ports: Ports = {
      clock: node.clock,
      http: { request: (req) => (node.alive ? http.request(req) : dead()) },
      servers: this.net.servers(),
      kube: { get: (path, t) => (node.alive ? kube.get(path, t) : dead()) },
      random: this.random,
      newUid: () =>
        BigInt.asIntN(
          64,
          (BigInt(Math.floor(this.random() * 2 ** 32)) << 32n) | BigInt(Math.floor(this.random() * 2 ** 32)),
        ).toString(),
      logger,
    };
    const agent = new Agent(config, ports, NAMESPACE);
    node.agent = agent;
    agent.on('membership', (m) => {
      const ready = m.status === 'Up' ? 'True' : 'False';
      if (node.pod.status) node.pod.status.conditions = [{ type: 'Ready', status: ready }];
    });
    await agent.start();
  }

  /** The process dies at once (no leave). The pod stays in the API, Running, unless `removePod`. */
  kill(name: string, removePod = false): void {
    const node = this.nodes.get(name);
    if (!node) return;
    node.alive = false;
    node.clock.kill();
    this.net.unbindHost(node.ip);
    if (removePod) this.kube.pods.delete(name);
  }

  /** The container restarts in the same pod (same IP): a new process with a new uid. */
  restart(name: string): void {
    const node = this.nodes.get(name);
    if (!node) return;
    this.kill(name);
    node.alive = true;
    node.logs.push(`{"msg":"--- container restarted at ${this.clock.now()} ---"}\n`);
    node.clock = new NodeClock(this.clock);
    void this.#start(node);
  }

  /** Pod deletion: the pod is marked terminating, the agent gets SIGTERM (leaves), then the pod goes. */
  async deletePod(name: string, graceful = true): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    node.pod.metadata.deletionTimestamp = new Date(this.clock.now()).toISOString();
    if (graceful && node.alive && node.agent) {
      const stopped = node.agent.stop();
      let done = false;
      void stopped.then(() => {
        done = true;
      });
      await this.clock.advance(5000, () => done);
    }
    this.kill(name, true);
  }

  /** Runs the simulation for `ms`, or until `done()` holds (checked at most every 50 simulated ms). */
  run(ms: number, done?: () => boolean): Promise<boolean> {
    let next = this.clock.monotonic();
    const check = done
      ? () => {
          if (this.clock.monotonic() < next) return false;
          next = this.clock.monotonic() + 50;
          return done();
        }
      : undefined;
    return this.clock.advance(ms, check);
  }

  live(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  /** Cluster ids of live nodes that are members right now. */
  clusterIds(): Set<string> {
    const ids = new Set<string>();
    for (const n of this.live()) {
      const id = n.agent?.snapshot().view?.clusterId;
      if (id !== undefined) ids.add(id);
    }
    return ids;
  }

  /**
   * True when every named node is alive and an Up member of one cluster, and every one of them has exactly these
   * nodes (their current incarnations) as members.
   */
  converged(names: readonly string[]): boolean {
    const nodes = names.map((n) => this.nodes.get(n));
    if (nodes.some((n) => !n?.alive || !n.agent)) return false;
    const snaps = nodes.map((n) => n?.agent?.snapshot());
    const want = snaps
      .map((s) => (s ? keyOf({ node: s.selfNode, uid: s.selfUid }) : ''))
      .sort()
      .join(',');
    const ids = new Set<string>();
    for (const s of snaps) {
      if (!s?.view) return false;
      ids.add(s.view.clusterId);
      if (s.view.members.map(keyOf).sort().join(',') !== want) return false;
      if (s.view.members.some((m) => m.status !== 'Up')) return false;
      if (s.unreachable.length > 0) return false;
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
