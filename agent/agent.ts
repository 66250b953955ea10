// The agent: management and peer servers, then bootstrap (coordinator) until a join decision, then membership
// (ClusterNode). A removed incarnation starts over with a new uid. Emits membership-change events.
import { EventEmitter } from 'node:events';
import { podLabelSelector } from '../core/discovery/selector.ts';
import { nodeAddress } from '../core/protocol/address.ts';
import { BootstrapCoordinator, type JoinDecision } from './bootstrap/coordinator.ts';
import { type ContactPointSource, KubernetesApiDiscovery } from './bootstrap/discovery.ts';
import type { AgentConfig } from './config.ts';
import { AgentError } from './errors.ts';
import { type MembershipSnapshot, managementRoute, selfStatus } from './http/management.ts';
import { ClusterNode } from './membership/node.ts';
import { keyOf, type MemberRecord, nodeOfKey, oldestMember, type View } from './membership/view.ts';
import type { Ports, Reply, ServerHandle } from './ports.ts';

export type AgentPhase = 'starting' | 'bootstrapping' | 'joining' | 'member' | 'leaving' | 'stopped';

export interface MemberInfo {
  node: string;
  uid: string;
  status: string;
  upNumber: number;
  roles: string[];
}

/** This node's picture of the cluster. */
export interface Membership {
  selfNode: string;
  selfUid: string;
  phase: AgentPhase;
  /** This node's member status; undefined while not a member. */
  status: string | undefined;
  clusterId: string | undefined;
  leader: string | undefined;
  oldest: string | undefined;
  /** Oldest first. */
  members: MemberInfo[];
  /** Members this node has not heard from for the failure timeout. */
  unreachable: string[];
}

export interface AgentEvents {
  /** Any change of the member list, leader or this node's phase, with the new picture. */
  membership: [Membership];
  'member-up': [MemberInfo];
  'member-removed': [MemberInfo];
  'self-up': [MemberInfo];
  /** This incarnation is out of the cluster (removed, minority, or stopping); bootstrap starts again unless stopping. */
  'self-removed': [{ reason: string }];
  'leader-changed': [{ leader: string | undefined }];
}

const info = (m: MemberRecord): MemberInfo => ({ ...m, roles: [...m.roles] });

export class Agent extends EventEmitter<AgentEvents> {
  readonly config: AgentConfig;
  readonly selfNode: string;
  readonly source: ContactPointSource;
  readonly #ports: Ports;
  #phase: AgentPhase = 'starting';
  #node: ClusterNode;
  #coordinator: BootstrapCoordinator | undefined;
  #servers: ServerHandle[] = [];

  /** `namespace`: the pods' namespace, already resolved (see resolveNamespace in index.ts). */
  constructor(config: AgentConfig, ports: Ports, namespace: string) {
    super();
    this.config = config;
    this.#ports = ports;
    this.selfNode = nodeAddress(config.actorSystemName, config.remoting.hostname, config.remoting.port);
    const k = config.kubernetes;
    this.source = new KubernetesApiDiscovery(ports.kube, {
      namespace,
      selector: podLabelSelector(k.podLabelSelector, config.serviceName),
      timeoutMs: config.bootstrap.resolveTimeoutMs,
      settings: {
        namespace,
        podDomain: k.podDomain,
        useRawIp: k.useRawIp,
        containerName: k.containerName,
        portName: config.portName,
        fallbackPort: config.management.port,
      },
    });
    this.#node = this.#newNode();
  }

  get phase(): AgentPhase {
    return this.#phase;
  }

  /** Binds the servers and starts bootstrap. Rejects with code Bind when an address cannot be bound. */
  async start(): Promise<void> {
    const { servers, logger } = this.#ports;
    const m = this.config.management;
    const r = this.config.remoting;
    const mgmt = (req: Parameters<typeof managementRoute>[0]): Reply => managementRoute(req, () => this.snapshot());
    const peer = (req: Parameters<ClusterNode['handle']>[0]): Reply => this.#node.handle(req);
    const bind = async (what: string, host: string, port: number, h: typeof mgmt, optional = false) => {
      try {
        this.#servers.push(await servers.listen(host, port, h));
      } catch (err) {
        if (optional) return logger.warn({ host, port, error: (err as Error).message }, `cannot bind ${what}`);
        await this.#closeServers();
        throw new AgentError('Bind', `cannot bind the ${what} to ${host}:${port}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    };
    await bind('management server', m.bindHostname, m.bindPort, mgmt);
    if (m.alsoLocalhost && m.bindHostname !== '127.0.0.1')
      await bind('management server', '127.0.0.1', m.bindPort, mgmt, true);
    await bind('remoting server', r.bindHostname, r.bindPort, peer);
    logger.info(
      { selfNode: this.selfNode, management: `${m.hostname}:${m.port}`, serviceName: this.config.serviceName },
      'agent started',
    );
    this.#bootstrap();
  }

  /** Leaves the cluster (a leader hands over first), then closes the servers. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped' || this.#phase === 'leaving') return;
    this.#phase = 'leaving';
    this.#coordinator?.stop();
    await this.#node.leave();
    await this.#closeServers();
    this.#phase = 'stopped';
    this.#ports.logger.info({ selfNode: this.selfNode }, 'agent stopped');
    this.emit('membership', this.membership());
  }

  snapshot(): MembershipSnapshot {
    const n = this.#node;
    return {
      selfNode: this.selfNode,
      selfUid: n.selfKey.slice(n.selfKey.lastIndexOf('#') + 1),
      phase: this.#phase,
      view: n.view,
      unreachable: n.unreachable(),
    };
  }

  membership(): Membership {
    const s = this.snapshot();
    const view = s.view;
    const oldest = view ? oldestMember(view) : undefined;
    return {
      selfNode: s.selfNode,
      selfUid: s.selfUid,
      phase: this.#phase,
      status: selfStatus(s),
      clusterId: view?.clusterId,
      leader: view ? nodeOfKey(view.leader) : undefined,
      oldest: oldest?.node,
      members: [...(view?.members ?? [])].sort((a, b) => a.upNumber - b.upNumber).map(info),
      unreachable: s.unreachable.map((m) => m.node),
    };
  }

  #newNode(): ClusterNode {
    const { clock, http, logger, newUid } = this.#ports;
    const node: ClusterNode = new ClusterNode({
      clock,
      http,
      logger,
      timeouts: this.config.membership,
      source: this.source,
      self: { node: this.selfNode, uid: newUid() },
      roles: this.config.roles,
      system: this.config.actorSystemName,
      onChange: (prev, next) => this.#changed(node, prev, next),
      onRemoved: (reason) => this.#removed(node, reason),
    });
    return node;
  }

  #bootstrap(): void {
    const { clock, random, http, logger } = this.#ports;
    this.#phase = 'bootstrapping';
    const c = new BootstrapCoordinator({
      clock,
      random,
      http,
      logger,
      source: this.source,
      settings: this.config.bootstrap,
      self: { host: this.config.management.hostname, port: this.config.management.port },
    });
    this.#coordinator = c;
    c.start((d) => void this.#decided(c, d));
  }

  async #decided(c: BootstrapCoordinator, d: JoinDecision): Promise<void> {
    if (this.#coordinator !== c || this.#phase !== 'bootstrapping') return;
    if (d.kind === 'JoinSelf') {
      this.#phase = 'member';
      this.#node.found();
      return;
    }
    this.#phase = 'joining';
    const node = this.#node;
    const ok = await node.join(d.seedNodes);
    if (this.#node !== node || this.#phase !== 'joining') return;
    if (ok) {
      this.#phase = 'member';
      return;
    }
    this.#ports.logger.warn({ seedNodes: d.seedNodes }, 'no seed node admitted this node, probing again');
    this.#bootstrap();
  }

  #removed(node: ClusterNode, reason: string): void {
    if (node !== this.#node || this.#phase === 'leaving' || this.#phase === 'stopped') return;
    this.emit('self-removed', { reason });
    this.#node = this.#newNode();
    this.#ports.logger.info(
      { selfUid: this.#node.selfKey.split('#').pop() },
      'starting bootstrap again as a new incarnation',
    );
    this.#bootstrap();
  }

  #changed(node: ClusterNode, prev: View | undefined, next: View | undefined): void {
    if (node !== this.#node) return;
    if (next && (this.#phase === 'joining' || this.#phase === 'bootstrapping')) this.#phase = 'member';
    const before = new Map((prev?.members ?? []).map((m) => [keyOf(m), m]));
    const after = new Map((next?.members ?? []).map((m) => [keyOf(m), m]));
    for (const [k, m] of after) {
      if (before.has(k)) continue;
      this.emit('member-up', info(m));
      if (k === node.selfKey) this.emit('self-up', info(m));
    }
    for (const [k, m] of before) if (!after.has(k)) this.emit('member-removed', info(m));
    if (prev?.leader !== next?.leader)
      this.emit('leader-changed', { leader: next ? nodeOfKey(next.leader) : undefined });
    if (!next && this.#phase === 'leaving') this.emit('self-removed', { reason: 'stopping' });
    this.emit('membership', this.membership());
  }

  async #closeServers(): Promise<void> {
    const servers = this.#servers;
    this.#servers = [];
    await Promise.allSettled(servers.map((s) => s.close()));
  }
}
