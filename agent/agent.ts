// The agent: the management server, then bootstrap (coordinator) until a join decision, then membership in the
// ClusterMembership record (Member). An incarnation that is out starts over with a new uid. Emits membership events.
import { EventEmitter } from 'node:events';
import { podLabelSelector } from '../core/discovery/selector.ts';
import { nodeAddress } from '../core/protocol/address.ts';
import { BootstrapCoordinator, type JoinDecision } from './bootstrap/coordinator.ts';
import { type ContactPointSource, KubernetesApiDiscovery } from './bootstrap/discovery.ts';
import type { AgentConfig } from './config.ts';
import { AgentError } from './errors.ts';
import { memberChanges } from './http/domain-events.ts';
import { DomainStreams } from './http/domain-streams.ts';
import { type MembershipSnapshot, managementRoute } from './http/management.ts';
import { Member } from './membership/member.ts';
import { compareAge } from './membership/order.ts';
import { PodCache } from './membership/pod-cache.ts';
import type { MemberEntry } from './membership/record.ts';
import { RecordStore } from './membership/store.ts';
import type { Handler, Ports, ServerHandle } from './ports.ts';

export type AgentPhase = 'starting' | 'bootstrapping' | 'joining' | 'member' | 'isolated' | 'leaving' | 'stopped';

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
  /** This node's member status; undefined while it does not claim membership. */
  status: string | undefined;
  clusterId: string | undefined;
  leader: string | undefined;
  oldest: string | undefined;
  /** Oldest first. Empty while this node does not claim membership. */
  members: MemberInfo[];
  /** Members unreachable in this node's view. */
  unreachable: string[];
}

export interface AgentEvents {
  /** Any change of the member list, leader, oldest or this node's phase, with the new picture. */
  membership: [Membership];
  'member-up': [MemberInfo];
  'member-removed': [MemberInfo];
  /** This node claims membership (again: after an isolation ends, too). */
  'self-up': [MemberInfo];
  /** This node stopped claiming membership: removed, isolated from the API, or stopping. Bootstrap starts again by itself when removed. */
  'self-removed': [{ reason: string }];
  'leader-changed': [{ leader: string | undefined }];
}

const info = (m: MemberEntry): MemberInfo => ({
  node: m.node,
  uid: m.uid,
  status: m.status,
  upNumber: m.upNumber,
  roles: [...m.roles],
});

export class Agent extends EventEmitter<AgentEvents> {
  readonly config: AgentConfig;
  readonly selfNode: string;
  readonly source: ContactPointSource;
  readonly store: RecordStore;
  readonly #ports: Ports;
  readonly #namespace: string;
  #phase: AgentPhase = 'starting';
  #member: Member | undefined;
  #uid: string;
  #coordinator: BootstrapCoordinator | undefined;
  #servers: ServerHandle[] = [];
  #last: Membership | undefined;
  #basis: { view: unknown; claim: boolean; phase: string; uid: string } | undefined;
  /** The members of the last picture in which this incarnation claimed membership: what member events diff against. */
  #claimed: MemberInfo[] = [];
  /** The open GET /cluster/domain-events streams. */
  readonly #streams: DomainStreams;

  /** `namespace`: the pods' namespace, already resolved (see resolveNamespace in index.ts). */
  constructor(config: AgentConfig, ports: Ports, namespace: string) {
    super();
    this.config = config;
    this.#ports = ports;
    this.#namespace = namespace;
    this.selfNode = nodeAddress(config.actorSystemName, config.remoting.hostname, config.remoting.port);
    this.#uid = ports.newUid();
    this.#streams = new DomainStreams(ports.clock, () => this.snapshot().view);
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
    this.store = new RecordStore(ports.kube, ports.clock, {
      namespace,
      name: config.membership.name,
      timeoutMs: config.membership.requestTimeoutMs,
    });
  }

  get phase(): AgentPhase {
    const p = this.#phase;
    return p === 'member' && this.#member?.snapshot().isolated ? 'isolated' : p;
  }

  /** Binds the management server and starts bootstrap. Rejects with code Bind when the address cannot be bound. */
  async start(): Promise<void> {
    const { servers, logger } = this.#ports;
    const m = this.config.management;
    const mgmt: Handler = (req) =>
      managementRoute(
        req,
        () => this.snapshot(),
        (path) => this.#streams.reply(path),
      );
    const bind = async (host: string, optional: boolean) => {
      try {
        this.#servers.push(await servers.listen(host, m.bindPort, mgmt));
      } catch (err) {
        const error = (err as Error).message;
        if (optional) return logger.warn({ host, port: m.bindPort, error }, 'cannot bind management server');
        await this.#closeServers();
        throw new AgentError('Bind', `cannot bind the management server to ${host}:${m.bindPort}: ${error}`, {
          cause: err,
        });
      }
    };
    await bind(m.bindHostname, false);
    if (m.alsoLocalhost && m.bindHostname !== '127.0.0.1') await bind('127.0.0.1', true);
    logger.info(
      { selfNode: this.selfNode, management: `${m.hostname}:${m.port}`, membership: this.config.membership.name },
      'agent started',
    );
    this.#bootstrap();
  }

  /** Leaves the cluster (stops claiming at once, then one conditional write), then closes the server. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped' || this.#phase === 'leaving') return;
    this.#phase = 'leaving';
    this.#coordinator?.stop();
    await this.#member?.leave(5000);
    this.#streams.close();
    await this.#closeServers();
    this.#phase = 'stopped';
    this.#ports.logger.info({ selfNode: this.selfNode }, 'agent stopped');
    this.#changed();
  }

  snapshot(): MembershipSnapshot {
    const s = this.#member?.snapshot();
    return { selfNode: this.selfNode, selfUid: this.#uid, phase: this.phase, claim: s?.claim ?? false, view: s?.view };
  }

  membership(): Membership {
    const s = this.snapshot();
    const view = s.claim ? s.view : undefined;
    return {
      selfNode: this.selfNode,
      selfUid: this.#uid,
      phase: this.phase,
      status: view?.self?.status,
      clusterId: view?.clusterId,
      leader: view?.leader?.node,
      oldest: view?.oldest?.node,
      members: [...(view?.members ?? [])].sort(compareAge).map(info),
      unreachable: (view?.unreachable ?? []).map((u) => u.member.node),
    };
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
    const { clock, random, logger, kube } = this.#ports;
    this.#phase = 'joining';
    const k = this.config.kubernetes;
    let member: Member | undefined;
    const pods = new PodCache(
      kube,
      clock,
      logger,
      {
        namespace: this.#namespace,
        selector: podLabelSelector(k.podLabelSelector, this.config.serviceName),
        timeoutMs: this.config.membership.requestTimeoutMs,
      },
      () => {
        member?.evaluate();
        if (member === this.#member) this.#changed();
      },
    );
    member = new Member({
      clock,
      random,
      logger,
      store: this.store,
      pods,
      settings: this.config.membership,
      self: { node: this.selfNode, uid: this.#uid, pod: this.config.podName, roles: this.config.roles },
      system: this.config.actorSystemName,
      onChange: () => member === this.#member && this.#changed(),
      onOut: (reason) => this.#out(member as Member, reason),
    });
    this.#member = member;
    const ok = await member.enter(d);
    if (this.#member !== member || this.#phase !== 'joining') return;
    if (ok) {
      this.#phase = 'member';
      this.#changed();
      return;
    }
    // Not entered: probe again after a pause (a probe interval with jitter), so a refusal is no busy loop.
    this.#member = undefined;
    this.#phase = 'bootstrapping';
    const pause = this.config.bootstrap.probeIntervalMs * (1 + random());
    clock.setTimeout(() => this.#phase === 'bootstrapping' && !this.#member && this.#bootstrap(), pause);
  }

  #out(member: Member, reason: string): void {
    if (member !== this.#member || this.#phase === 'leaving' || this.#phase === 'stopped') return;
    this.#member = undefined;
    this.#changed(reason);
    this.#claimed = [];
    this.#uid = this.#ports.newUid();
    this.#ports.logger.info({ selfUid: this.#uid }, 'starting bootstrap again as a new incarnation');
    this.#bootstrap();
  }

  /** Emits the events for the change from the last picture to the current one. */
  #changed(outReason?: string): void {
    // The member's views are remembered objects: the same view, phase and uid is the same picture.
    const s = this.snapshot();
    const basis = this.#basis;
    if (
      basis &&
      basis.view === s.view &&
      basis.claim === s.claim &&
      basis.phase === s.phase &&
      basis.uid === this.#uid
    ) {
      return;
    }
    this.#basis = { view: s.view, claim: s.claim, phase: s.phase, uid: this.#uid };
    this.#streams.update(s.view);
    const prev = this.#last;
    const next = this.membership();
    if (prev && JSON.stringify(prev) === JSON.stringify(next)) return;
    this.#last = next;
    const had = prev?.status !== undefined;
    const has = next.status !== undefined;
    if (has) {
      // Member events diff the member lists this incarnation claimed; an isolation in between is no change.
      const { added, removed } = memberChanges(this.#claimed, next.members);
      for (const m of added) this.emit('member-up', m);
      for (const m of removed) this.emit('member-removed', m);
      this.#claimed = next.members;
    }
    const self = next.members.find((m) => m.node === next.selfNode && m.uid === next.selfUid);
    if (!had && has && self) this.emit('self-up', self);
    if (had && !has) {
      const stopping = next.phase === 'leaving' || next.phase === 'stopped';
      const isolated = next.phase === 'isolated' ? 'no contact with the Kubernetes API' : 'challenged';
      this.emit('self-removed', { reason: outReason ?? (stopping ? 'stopping' : isolated) });
    }
    if (prev?.leader !== next.leader) this.emit('leader-changed', { leader: next.leader });
    this.emit('membership', next);
  }

  async #closeServers(): Promise<void> {
    const servers = this.#servers;
    this.#servers = [];
    await Promise.allSettled(servers.map((s) => s.close()));
  }
}
