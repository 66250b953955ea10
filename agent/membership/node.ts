// One incarnation (address + uid) of this node in a cluster: forming or joining, gossiping the view with every other
// member each heartbeat, applying rules.ts, answering peers, leaving. When it is out of the cluster (removed, in a
// minority, left) it stays out: the agent starts bootstrap again with a new incarnation.
import { ipBytes, parseNodeAddress } from '../../core/protocol/address.ts';
import type { ContactPointSource } from '../bootstrap/discovery.ts';
import type { AgentConfig } from '../config.ts';
import type { Clock, HttpClient, IncomingRequest, Logger, Reply, Timer } from '../ports.ts';
import { PATHS, readMessage, send } from './peer.ts';
import { type Assessment, assess } from './rules.ts';
import {
  foundView,
  handedOver,
  keyOf,
  type MemberId,
  type MemberRecord,
  memberOf,
  nodeOfKey,
  oldestMember,
  readView,
  supersedes,
  takenOver,
  type View,
  withJoiner,
  withoutMembers,
} from './view.ts';

export interface ClusterNodeDeps {
  clock: Clock;
  http: HttpClient;
  logger: Logger;
  timeouts: AgentConfig['membership'];
  /** Pod lookups, to learn which members' pods are gone. */
  source: ContactPointSource;
  self: MemberId;
  roles: readonly string[];
  system: string;
  /** Called after every change of this node's view; `next` undefined once this incarnation is out. */
  onChange: (prev: View | undefined, next: View | undefined) => void;
  /** This incarnation was removed or left a minority partition; not called after leave(). */
  onRemoved: (reason: string) => void;
}

export type NodeState = 'idle' | 'joining' | 'member' | 'left';

const json = (status: number, body: object): Reply => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
});

export class ClusterNode {
  readonly #d: ClusterNodeDeps;
  readonly selfKey: string;
  #state: NodeState = 'idle';
  #view: View | undefined;
  readonly #lastHeard = new Map<string, number>();
  readonly #seenAt = new Map<string, number>();
  #podGone = new Set<string>();
  readonly #replaced = new Set<string>();
  readonly #inflight = new Set<string>();
  #timer: Timer | undefined;
  #lastLookupAt = Number.NEGATIVE_INFINITY;
  #lookupInFlight = false;

  constructor(deps: ClusterNodeDeps) {
    this.#d = deps;
    this.selfKey = keyOf(deps.self);
  }

  get state(): NodeState {
    return this.#state;
  }
  get view(): View | undefined {
    return this.#view;
  }

  /** Forms a new cluster with this node as its only member and leader. */
  found(): void {
    this.#state = 'member';
    this.#adopt(foundView(this.#d.self, this.#d.roles));
    this.#d.logger.info({ clusterId: this.#view?.clusterId }, 'formed a new cluster');
    this.#schedule();
  }

  /** Joins through the seed nodes (following a redirect to the leader). False when none admitted this node. */
  async join(seeds: readonly string[]): Promise<boolean> {
    const { http, logger, timeouts, self, roles } = this.#d;
    this.#state = 'joining';
    for (const seed of seeds) {
      let target = seed;
      for (let hop = 0; hop < 3; hop++) {
        const message = { from: self, roles };
        const ans = await send(http, target, PATHS.join, message, timeouts.failureTimeoutMs).catch((err: Error) => {
          logger.info({ seed: target, error: err.message }, 'join attempt failed');
          return undefined;
        });
        if (this.#state !== 'joining') return false;
        if (ans?.status === 200 && ans.view && memberOf(ans.view, this.selfKey)) {
          this.#state = 'member';
          this.#adopt(ans.view);
          logger.info(
            { via: target, clusterId: ans.view.clusterId, members: ans.view.members.length },
            'joined cluster',
          );
          this.#schedule();
          return true;
        }
        if (ans?.status === 409 && ans.leader && ans.leader !== target) target = ans.leader;
        else break;
      }
    }
    if (this.#state === 'joining') this.#state = 'idle';
    return false;
  }

  /** Members this node has not heard from for the failure timeout. */
  unreachable(): MemberRecord[] {
    return this.#view ? this.#assess(this.#view).unreachable : [];
  }

  /** Handles a peer message on the remoting port. */
  handle(req: IncomingRequest): Reply {
    const { self, clock, logger } = this.#d;
    const msg = req.method === 'POST' ? readMessage(req.body) : undefined;
    if (!msg) return json(400, { from: self, error: 'bad-request' });
    const fromKey = keyOf(msg.from);
    const view = this.#view;
    if (this.#state !== 'member' || !view) return json(409, { from: self, error: 'not-member' });
    if (req.path === PATHS.gossip) {
      const theirs = readView(msg.json.view);
      if (!theirs) return json(400, { from: self, error: 'bad-view' });
      if (theirs.clusterId !== view.clusterId) {
        logger.warn(
          { from: msg.from.node, theirs: theirs.clusterId, ours: view.clusterId },
          'gossip from another cluster',
        );
        return json(409, { from: self, error: 'other-cluster' });
      }
      if (supersedes(theirs, view)) this.#adopt(theirs);
      if (!this.#view) return json(409, { from: self, error: 'not-member' });
      if (memberOf(this.#view, fromKey)) this.#lastHeard.set(fromKey, clock.monotonic());
      return json(200, { from: self, view: this.#view });
    }
    if (view.leader !== this.selfKey) return json(409, { from: self, leader: nodeOfKey(view.leader) });
    if (req.path === PATHS.join) {
      const a = parseNodeAddress(msg.from.node);
      if (!a.ok || a.value.system !== this.#d.system) return json(400, { from: self, error: 'other-actor-system' });
      const roles = Array.isArray(msg.json.roles) ? msg.json.roles.filter((r) => typeof r === 'string') : [];
      const next = withJoiner(view, msg.from, roles);
      if (next !== view) {
        logger.info({ member: msg.from.node, uid: msg.from.uid }, 'member joined');
        this.#adopt(next);
      }
      this.#lastHeard.set(fromKey, clock.monotonic());
      return json(200, { from: self, view: this.#view });
    }
    if (req.path === PATHS.leave) {
      if (memberOf(view, fromKey)) {
        logger.info({ member: msg.from.node }, 'member left');
        this.#adopt(withoutMembers(view, new Set([fromKey])));
      }
      return json(200, { from: self });
    }
    return json(404, { from: self, error: 'not-found' });
  }

  /** Leaves gracefully: a leader hands over to the oldest reachable member, others tell the leader. */
  async leave(): Promise<void> {
    const view = this.#view;
    const wasMember = this.#state === 'member';
    this.#state = 'left';
    this.stop();
    if (!wasMember || !view) return;
    const { http, self, timeouts, logger } = this.#d;
    const timeout = Math.min(1000, timeouts.failureTimeoutMs);
    if (view.leader === this.selfKey) {
      const lost = new Set([...this.#assess(view).unreachable.map(keyOf), ...this.#podGone, ...this.#replaced]);
      const successor = oldestMember(view, (m) => keyOf(m) !== this.selfKey && !lost.has(keyOf(m)));
      if (successor) {
        const next = handedOver(view, keyOf(successor));
        const others = next.members.filter((m) => !lost.has(keyOf(m)));
        await Promise.allSettled(
          others.map((m) => send(http, m.node, PATHS.gossip, { from: self, view: next }, timeout)),
        );
        logger.info({ successor: successor.node }, 'handed the cluster over');
      }
    } else {
      await send(http, nodeOfKey(view.leader), PATHS.leave, { from: self }, timeout).catch(() => undefined);
    }
    logger.info({ clusterId: view.clusterId }, 'left the cluster');
    this.#view = undefined;
    this.#d.onChange(view, undefined);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #assess(view: View): Assessment {
    const now = this.#d.clock.monotonic();
    const gone = new Set([...this.#podGone, ...this.#replaced]);
    const silent = (k: string) => (k === this.selfKey ? 0 : now - (this.#lastHeard.get(k) ?? now));
    return assess(view, this.selfKey, silent, gone, this.#d.timeouts);
  }

  #adopt(next: View): void {
    const prev = this.#view;
    if (!memberOf(next, this.selfKey)) {
      this.#out(`this node is no longer in the cluster's view`);
      return;
    }
    const now = this.#d.clock.monotonic();
    for (const m of next.members) {
      const k = keyOf(m);
      if (!this.#seenAt.has(k)) this.#seenAt.set(k, now);
      if (!this.#lastHeard.has(k)) this.#lastHeard.set(k, now);
    }
    const keys = new Set(next.members.map(keyOf));
    for (const map of [this.#lastHeard, this.#seenAt]) for (const k of map.keys()) if (!keys.has(k)) map.delete(k);
    for (const set of [this.#podGone, this.#replaced]) for (const k of set) if (!keys.has(k)) set.delete(k);
    this.#view = next;
    if (prev && prev.leader !== next.leader) this.#d.logger.info({ leader: nodeOfKey(next.leader) }, 'leader changed');
    this.#d.onChange(prev, next);
  }

  #out(reason: string): void {
    const prev = this.#view;
    this.#state = 'left';
    this.stop();
    this.#view = undefined;
    this.#d.logger.warn({ reason }, 'removed from the cluster');
    this.#d.onChange(prev, undefined);
    this.#d.onRemoved(reason);
  }

  #schedule(): void {
    this.#timer = this.#d.clock.setTimeout(() => this.#tick(), this.#d.timeouts.heartbeatIntervalMs);
  }

  #tick(): void {
    const view = this.#view;
    if (this.#state !== 'member' || !view) return;
    for (const m of view.members) if (keyOf(m) !== this.selfKey) this.#gossip(m);
    const a = this.#assess(view);
    if (a.minority) {
      const unreachable = a.unreachable.map((m) => m.node);
      this.#d.logger.warn({ unreachable, members: view.members.length }, 'only a minority of members answers');
      this.#out('this node hears only a minority of the members');
      return;
    }
    if (view.leader === this.selfKey && a.remove.size > 0) {
      const removed = view.members.filter((m) => a.remove.has(keyOf(m)));
      const reasons = removed.map((m) => ({
        node: m.node,
        reason: this.#podGone.has(keyOf(m)) ? 'pod gone' : this.#replaced.has(keyOf(m)) ? 'restarted' : 'silent',
      }));
      this.#d.logger.info({ removed: reasons }, 'members removed');
      this.#adopt(withoutMembers(view, a.remove));
    } else if (a.takeOver) {
      this.#d.logger.warn({ previous: nodeOfKey(view.leader) }, 'leader unreachable, taking over');
      this.#adopt(takenOver(view, this.selfKey));
    }
    if (this.#state !== 'member') return;
    this.#maybeLookup(a);
    this.#schedule();
  }

  #gossip(m: MemberRecord): void {
    const k = keyOf(m);
    if (this.#inflight.has(k) || !this.#view) return;
    this.#inflight.add(k);
    const { http, self, timeouts, clock } = this.#d;
    send(http, m.node, PATHS.gossip, { from: self, view: this.#view }, timeouts.failureTimeoutMs)
      .then((ans) => {
        const view = this.#view;
        if (this.#state !== 'member' || !view || !memberOf(view, k)) return;
        if ((ans.from && ans.from.uid !== m.uid) || ans.error === 'not-member') this.#replaced.add(k);
        else if (ans.status === 200 && ans.view) {
          this.#lastHeard.set(k, clock.monotonic());
          if (ans.view.clusterId === view.clusterId && supersedes(ans.view, view)) this.#adopt(ans.view);
        }
      })
      .catch(() => undefined)
      .finally(() => this.#inflight.delete(k));
  }

  /** The leader lists pods every member-discovery interval; others only while some member is unreachable. */
  #maybeLookup(a: Assessment): void {
    const { clock, timeouts, source } = this.#d;
    const now = clock.monotonic();
    const leader = this.#view?.leader === this.selfKey;
    const every = leader
      ? timeouts.memberDiscoveryIntervalMs
      : Math.min(timeouts.memberDiscoveryIntervalMs, timeouts.failureTimeoutMs);
    if (this.#lookupInFlight || now - this.#lastLookupAt < every || (!leader && a.unreachable.length === 0)) return;
    this.#lookupInFlight = true;
    this.#lastLookupAt = now;
    source
      .lookup()
      .then((found) => {
        const view = this.#view;
        if (this.#state !== 'member' || !view) return;
        const gone = (m: MemberRecord) => {
          const host = parseNodeAddress(m.node);
          if (!host.ok || ipBytes(host.value.host) === undefined) return false; // only IP hosts can be checked
          return !found.livePodIPs.has(host.value.host) && (this.#seenAt.get(keyOf(m)) ?? now) < now;
        };
        this.#podGone = new Set(view.members.filter((m) => keyOf(m) !== this.selfKey && gone(m)).map(keyOf));
      })
      .catch(() => {
        this.#podGone = new Set(); // no removal on stale information
      })
      .finally(() => {
        this.#lookupInFlight = false;
      });
  }
}
