// One incarnation (address + uid) of this node as a member of the record (docs/membership.md): it confirms its claim
// with a consistent read every contact interval, follows the record by watch, refutes challenges to itself, and as
// the leader in its own view challenges members whose pods look dead and removes those whose challenge stayed
// unanswered for the removal margin. Once out (removed, another incarnation, left) it stays out: the agent starts
// bootstrap again with a new incarnation. Every duration is on the monotonic clock.
import type { Clock, Logger, Random, Timer, WatchHandle } from '../ports.ts';
import { Contact } from './contact.ts';
import { Derived } from './derived.ts';
import { leaderWrite, nextRemovalAt } from './duties.ts';
import { type Entered, found, joinThroughSeeds } from './enter.ts';
import type { PodCache } from './pod-cache.ts';
import { keyOf, left, type MembershipState, memberOf, type Newcomer, refuted } from './record.ts';
import type { Fetched, RecordStore } from './store.ts';
import type { View } from './view.ts';

export interface MembershipSettings {
  contactIntervalMs: number;
  contactTimeoutMs: number;
  removalMarginMs: number;
  joinGraceMs: number;
  requestTimeoutMs: number;
}

export interface MemberDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  store: RecordStore;
  pods: PodCache;
  settings: MembershipSettings;
  self: Newcomer;
  system: string;
  /** Called after anything snapshot() shows may have changed. */
  onChange: () => void;
  /** This incarnation is out of the cluster (removed, or the record holds another incarnation); not after leave(). */
  onOut: (reason: string) => void;
}

export type MemberPhase = 'entering' | 'member' | 'leaving' | 'out';

export interface MemberSnapshot {
  phase: MemberPhase;
  /** A member whose claim lapsed for lack of contact with the API. */
  isolated: boolean;
  /** This node claims membership now (docs/membership.md, "Its claim"). */
  claim: boolean;
  /** What it shows: while it claims membership, and while it leaves. */
  view: View | undefined;
}

export class Member {
  readonly #d: MemberDeps;
  readonly selfKey: string;
  #phase: MemberPhase = 'entering';
  #current: Fetched | undefined;
  readonly #contact: Contact;
  readonly #firstSeen = new Map<string, number>();
  readonly #challengeSeen = new Map<number, number>();
  #dueTimer: Timer | undefined;
  #watchTimer: Timer | undefined;
  #watch: WatchHandle | undefined;
  #writing = false;
  #again = false;
  readonly #derived: Derived;

  constructor(deps: MemberDeps) {
    this.#d = deps;
    this.selfKey = keyOf(deps.self);
    this.#derived = new Derived(
      deps.pods,
      deps.settings.joinGraceMs,
      { node: deps.self.node, key: this.selfKey },
      (k) => this.#firstSeen.get(k),
    );
    this.#contact = new Contact({
      clock: deps.clock,
      logger: deps.logger,
      intervalMs: deps.settings.contactIntervalMs,
      timeoutMs: deps.settings.contactTimeoutMs,
      read: async () => this.#adopt(await deps.store.get(), true),
      onChange: () => {
        deps.onChange();
        this.evaluate();
      },
    });
  }

  get phase(): MemberPhase {
    return this.#phase;
  }

  /** Enters the record after the bootstrap decision; false (with the reason logged) sends the agent back to bootstrap. */
  async enter(decision: { kind: 'JoinSelf' } | { kind: 'JoinOtherSeedNodes'; seedNodes: string[] }): Promise<boolean> {
    const d = this.#d;
    const deps = {
      ...d,
      removalMarginMs: d.settings.removalMarginMs,
      deadlineMs: 4 * d.settings.removalMarginMs,
      sawChallenge: (seq: number, at: number) => void this.#challengeSeen.set(seq, at),
      challengeSeenAt: (seq: number) => this.#challengeSeen.get(seq),
      active: () => this.#phase === 'entering',
    };
    let r: Entered;
    try {
      r = decision.kind === 'JoinSelf' ? await found(deps) : await joinThroughSeeds(deps, decision.seedNodes);
    } catch (err) {
      const e = err as Error & { code?: string };
      d.logger.warn({ code: e.code ?? 'Error', error: e.message }, 'cannot enter the cluster membership');
      r = { ok: false, why: e.message };
    }
    if (this.#phase !== 'entering') {
      // Stopped while entering: a join that landed meanwhile is taken back (best effort).
      if (r.ok) {
        this.#current = r.fetched;
        await this.#update(
          (st) => left(st, this.selfKey),
          d.settings.requestTimeoutMs,
          () => true,
        );
      }
      return false;
    }
    if (!r.ok) {
      if (r.why !== 'stopping')
        d.logger.warn({ why: r.why, decision: decision.kind }, 'not entering the cluster, probing again');
      this.#phase = 'out';
      return false;
    }
    this.#phase = 'member';
    this.#adopt(r.fetched, true);
    d.pods.start();
    this.#startWatch();
    this.#contact.start();
    d.onChange();
    return true;
  }

  /** Leaves: stops claiming at once, then removes its entry (conditional, retried until done or `deadlineMs`). */
  async leave(deadlineMs: number): Promise<void> {
    const was = this.#phase;
    this.#phase = 'leaving';
    this.#d.onChange();
    this.#stopLoops();
    if (was !== 'member') {
      this.#phase = 'out';
      return;
    }
    const written = await this.#update(
      (s) => left(s, this.selfKey),
      deadlineMs,
      () => true,
    );
    this.#d.logger.info(
      { clusterId: this.#current?.state.clusterId, written: written !== undefined },
      'left the cluster',
    );
    this.#phase = 'out';
    this.#d.onChange();
  }

  /** Stops every timer and watch (no write). */
  stop(): void {
    if (this.#phase !== 'leaving') this.#phase = 'out';
    this.#stopLoops();
  }

  snapshot(): MemberSnapshot {
    const now = this.#d.clock.monotonic();
    const isolated = this.#phase === 'member' && !this.#contact.fresh(now);
    const s = this.#current?.state;
    if (!s || (this.#phase !== 'member' && this.#phase !== 'leaving') || isolated) {
      return { phase: this.#phase, isolated, claim: false, view: undefined };
    }
    const leaving = this.#phase === 'leaving';
    const view = this.#derived.view(s, now, leaving ? 'Leaving' : undefined);
    const claim = !leaving && view.self?.status === 'Up' && !view.self.challenge;
    return { phase: this.#phase, isolated, claim, view: claim || leaving ? view : undefined };
  }

  #stopLoops(): void {
    const { pods } = this.#d;
    for (const t of [this.#dueTimer, this.#watchTimer]) t?.cancel();
    this.#dueTimer = this.#watchTimer = undefined;
    this.#contact.stop();
    this.#watch?.close();
    this.#watch = undefined;
    pods.stop();
  }

  /** Takes a newer state of the record (and, from a request, its proof of contact). */
  #adopt(f: Fetched | Omit<Fetched, 'sentAt'>, fromRequest: boolean): void {
    const cur = this.#current;
    if ('sentAt' in f) this.#contact.note(f.sentAt);
    const newer = !cur || (cur.objectUid === f.objectUid ? f.state.version > cur.state.version : fromRequest);
    if (newer) {
      this.#current = { ...f, sentAt: 'sentAt' in f ? f.sentAt : (cur?.sentAt ?? 0) };
      const now = this.#d.clock.monotonic();
      const keys = new Set(f.state.members.map(keyOf));
      for (const k of keys) if (!this.#firstSeen.has(k)) this.#firstSeen.set(k, now);
      for (const k of this.#firstSeen.keys()) if (!keys.has(k)) this.#firstSeen.delete(k);
      const seqs = new Set(f.state.members.flatMap((m) => (m.challenge ? [m.challenge.seq] : [])));
      for (const q of seqs) if (!this.#challengeSeen.has(q)) this.#challengeSeen.set(q, now);
      for (const q of this.#challengeSeen.keys()) if (!seqs.has(q)) this.#challengeSeen.delete(q);
      this.#d.onChange();
    }
    if (this.#phase === 'member') this.evaluate();
  }

  #startWatch(): void {
    const { store, clock } = this.#d;
    const from = this.#current?.resourceVersion;
    if (this.#phase !== 'member' || from === undefined || this.#watch) return;
    this.#watch = store.watch(
      from,
      (f) => this.#adopt(f, false),
      (why) => {
        this.#watch = undefined;
        if (this.#phase !== 'member') return;
        if (why === 'closed') return this.#startWatch();
        // 410 or a broken stream: read again (also a contact), then watch from there.
        const delay = why === 'gone' ? 0 : 1000;
        this.#watchTimer = clock.setTimeout(() => {
          this.#watchTimer = undefined;
          if (this.#phase !== 'member') return;
          store.get().then(
            (f) => {
              this.#adopt(f, true);
              this.#startWatch();
            },
            () => {
              if (this.#phase === 'member') this.#watchTimer = clock.setTimeout(() => this.#startWatch(), 1000);
            },
          );
        }, delay);
      },
    );
  }

  /** Re-decides from the newest state: out, refute, or the leader's duties. Called on every change and due time. */
  evaluate(): void {
    if (this.#phase !== 'member' || !this.#current) return;
    const { state } = this.#current;
    const self = memberOf(state, this.selfKey);
    const isolated = !this.#contact.fresh();
    if (!self) {
      const why = state.clusterId === undefined || state.members.length === 0 ? 'the record was emptied' : 'removed';
      this.#out(`this incarnation is no longer in the cluster (${why})`);
      return;
    }
    if (isolated) return;
    if (this.#next(state, false)) void this.#write();
    this.#scheduleDue();
  }

  #scheduleDue(): void {
    const { clock, settings } = this.#d;
    const s = this.#current?.state;
    this.#dueTimer?.cancel();
    this.#dueTimer = undefined;
    const now = clock.monotonic();
    const due = s ? nextRemovalAt(s, (q) => this.#challengeSeen.get(q), settings.removalMarginMs) : undefined;
    const grace = s?.members
      .map((m) => (this.#firstSeen.get(keyOf(m)) ?? now) + settings.joinGraceMs)
      .filter((t) => t > now);
    const next = Math.min(due ?? Number.POSITIVE_INFINITY, ...(grace ?? []));
    if (Number.isFinite(next)) this.#dueTimer = clock.setTimeout(() => this.evaluate(), Math.max(0, next - now) + 1);
  }

  #out(reason: string): void {
    this.#phase = 'out';
    this.#stopLoops();
    this.#d.logger.warn({ reason }, 'removed from the cluster');
    this.#d.onChange();
    this.#d.onOut(reason);
  }

  /** One write at a time: refute a challenge to itself, else the leader's challenges and removals. */
  async #write(): Promise<void> {
    if (this.#writing) {
      this.#again = true;
      return;
    }
    this.#writing = true;
    await this.#update(
      (s) => this.#next(s),
      this.#d.settings.requestTimeoutMs * 3,
      () => this.#phase === 'member',
    );
    this.#writing = false;
    if (this.#again && this.#phase === 'member') {
      this.#again = false;
      this.evaluate();
    }
  }

  /** The write this member owes the record now: refute a challenge to itself, else the leader's duties. */
  #next(s: MembershipState, log = true): MembershipState | undefined {
    const { logger, self, clock, settings } = this.#d;
    const me = memberOf(s, this.selfKey);
    if (!me) return undefined;
    if (me.challenge) {
      if (log) logger.info({ by: me.challenge.by, reason: me.challenge.reason }, 'answering a challenge');
      return refuted(s, this.selfKey);
    }
    const now = clock.monotonic();
    const w = leaderWrite({
      state: s,
      selfKey: this.selfKey,
      selfNode: self.node,
      signals: this.#derived.signals(s, now),
      view: this.#derived.view(s, now),
      challengeSeenAt: (q) => this.#challengeSeen.get(q),
      now,
      removalMarginMs: settings.removalMarginMs,
    });
    if (w && log && w.removed.length > 0) logger.info({ removed: w.removed }, 'members removed');
    if (w && log && w.challenged.length > 0) logger.info({ members: w.challenged }, 'challenging members');
    return w?.state;
  }

  /** Read-modify-write from the newest known state (store.update); the written state is taken in. */
  async #update(decide: (s: MembershipState) => MembershipState | undefined, forMs: number, active: () => boolean) {
    const { store, clock, random, logger } = this.#d;
    const written = await store.update(decide, {
      base: this.#current,
      until: clock.monotonic() + forMs,
      random,
      active,
      onError: (e) => logger.debug({ error: e.message }, 'membership write failed'),
    });
    if (written && written !== 'nothing') this.#adopt(written, true);
    return written;
  }
}
