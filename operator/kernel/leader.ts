// Lease-based leader election on coordination.k8s.io/v1, following client-go's leaderelection:
//  - a candidate takes the Lease when it does not exist, has no holder, or has not changed for leaseDuration as
//    measured on the candidate's own clock since it last saw the record change (no trust in other clocks);
//  - the leader starts a renewal every retryPeriod (at once after a round that took longer); followers retry every
//    retryPeriod plus up to 120 % jitter;
//  - every Lease call carries a deadline: its own timeout (max(1 s, renewDeadline / 2), as client-go's lease client),
//    and while leading also the renew deadline. A call that does not answer by then is abandoned (its request is
//    aborted), so a stalled connection cannot hold a round open;
//  - a watchdog stops leading at lastRenew + renewDeadline whatever is in flight, lastRenew being the start of the
//    last round that renewed (the renewTime it wrote, so never later than when another candidate saw the record
//    change). Other candidates wait leaseDuration from that change, so the old leader has stopped
//    leaseDuration - renewDeadline (5 s by default) before anyone else may lead. The caller must stop writing in
//    onStoppedLeading (main exits the process, so the pod restarts as a follower: controller-runtime's behaviour);
//  - on graceful shutdown the leader releases the lease (empty holder), so a follower takes over without waiting.
// Updates carry the resourceVersion read, so two candidates never both win the same round. See docs/operator.md.
import { type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import { ConfigError, httpStatus, OperatorError } from '../errors.ts';
import type { LeaseApi } from '../kube/client.ts';
import type { Random } from './backoff.ts';

/** controller-runtime's defaults. */
export const LEADER_ELECTION_DEFAULTS = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
});

/** client-go's JitterFactor: a follower waits retryPeriod * (1 + 1.2 * random) between rounds. */
export const JITTER_FACTOR = 1.2;

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseApi: LeaseApi;
  clock: Clock;
  log: Logger;
  random?: Random;
  /** Defaults: LEADER_ELECTION_DEFAULTS. Must satisfy leaseDuration > renewDeadline > 1.2 * retryPeriod > 0. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** The longest one Lease call may take; default max(1 s, renewDeadline / 2). */
  requestTimeoutMs?: number;
  /** Called once when this candidate becomes leader. */
  onStartedLeading: () => void;
  /**
   * Called once, synchronously, when a leader stops being leader for any reason but release(): another holder, or
   * no renewal by the renew deadline. The caller must stop writing before it returns (main exits the process).
   */
  onStoppedLeading: (reason: string) => void;
}

/** Rejects with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, 'random'>> & { random: Random };
  private leading = false;
  private stopped = false;
  private observed: { key: string; lease: V1Lease } | undefined;
  private observedAt = 0;
  /** When the round that last renewed (or acquired) the lease began. */
  private lastRenew = 0;
  /** The last read showed another holder while we thought we led. */
  private takenOver = false;
  /** We may hold the Lease: our last write made us holder, a read said so, or a write ended without an answer. */
  private mayHold = false;
  private timer: Timer | undefined;
  private watchdog: Timer | undefined;
  private readonly inFlight = new Set<AbortController>();
  private busy: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    const renewDeadlineMs = options.renewDeadlineMs ?? LEADER_ELECTION_DEFAULTS.renewDeadlineMs;
    this.o = {
      ...LEADER_ELECTION_DEFAULTS,
      random: Math.random,
      requestTimeoutMs: Math.max(1000, renewDeadlineMs / 2),
      ...options,
    };
    const { leaseDurationMs, retryPeriodMs } = this.o;
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > JITTER_FACTOR * retryPeriodMs && retryPeriodMs > 0)) {
      throw new ConfigError(
        `leader election: need leaseDuration > renewDeadline > ${JITTER_FACTOR} * retryPeriod > 0, got ` +
          `${leaseDurationMs} ms, ${renewDeadlineMs} ms, ${retryPeriodMs} ms`,
      );
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning; onStartedLeading fires when the lease is won. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Stops campaigning or renewing; then, if this candidate holds the Lease (also when an acquire in flight won it),
   * releases it. Waits for the round in flight, which ends within the request timeout.
   */
  async release(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.busy;
    this.leading = false;
    this.watchdog?.cancel();
    if (!this.mayHold) return;
    const { leaseApi, namespace, name, identity, clock, log } = this.o;
    try {
      const current = await this.call('get', (signal) => leaseApi.read(namespace, name, signal));
      if (!current?.spec || current.spec.holderIdentity !== identity) return;
      const now = new V1MicroTime(clock.now());
      await this.call('update', (signal) =>
        leaseApi.replace(
          {
            ...current,
            spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
          },
          signal,
        ),
      );
      this.mayHold = false;
      log.info({ lease: name }, 'leader lease released');
    } catch (err) {
      log.warn({ err, lease: name }, 'leader lease release failed; it expires on its own');
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.busy = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { clock, retryPeriodMs, renewDeadlineMs, log } = this.o;
    // Durations (renew deadline, lease expiry) on the monotonic clock; the wall clock only for the times written.
    const started = clock.monotonic();
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew(clock.now());
    } catch (err) {
      log.warn({ err, lease: this.o.name }, 'leader election request failed');
    }
    if (this.stopped) return; // released meanwhile (release() gives the lease back), or lost
    const now = clock.monotonic();
    if (this.leading && now >= this.lastRenew + renewDeadlineMs) {
      this.lose('could not renew the lease within the renew deadline'); // the watchdog's twin, for a late timer
      return;
    }
    if (this.leading && this.takenOver) {
      this.lose('another candidate holds the lease');
      return;
    }
    // A round that answers after the renew deadline does not count: we cannot know when others saw it.
    if (ok && now - started < renewDeadlineMs) {
      this.lastRenew = started;
      this.armWatchdog();
      if (!this.leading) {
        this.leading = true;
        log.info({ lease: this.o.name, identity: this.o.identity }, 'became leader');
        this.o.onStartedLeading();
      }
    }
    // The leader starts a round every retryPeriod, counted from the start of the last one: after a round that took
    // long (a hung call abandoned at its timeout) the next starts at once, so one hung call still leaves time to renew
    // before the deadline. Followers jitter so they do not poll in lockstep.
    this.schedule(
      this.leading
        ? Math.max(0, retryPeriodMs - (clock.monotonic() - started))
        : Math.round(retryPeriodMs * (1 + JITTER_FACTOR * this.o.random())),
    );
  }

  /** Stops leading at lastRenew + renewDeadline unless a renewal moves lastRenew first. */
  private armWatchdog(): void {
    const { clock, renewDeadlineMs } = this.o;
    this.watchdog?.cancel();
    const check = () => {
      if (!this.leading) return;
      const left = this.lastRenew + renewDeadlineMs - clock.monotonic();
      if (left > 0) this.watchdog = clock.setTimeout(check, left);
      else this.lose('could not renew the lease within the renew deadline');
    };
    this.watchdog = clock.setTimeout(check, this.lastRenew + renewDeadlineMs - clock.monotonic());
  }

  private lose(reason: string): void {
    if (!this.leading) return;
    const { clock, log, name } = this.o;
    this.leading = false;
    this.stopped = true;
    this.timer?.cancel();
    this.watchdog?.cancel();
    for (const c of this.inFlight) c.abort(new OperatorError('LEASE_LOST', reason));
    log.error({ lease: name, sinceRenewMs: clock.monotonic() - this.lastRenew, reason }, 'leader lease lost');
    this.o.onStoppedLeading(reason);
  }

  /**
   * One Lease call with its deadline: the request timeout, and while leading no later than the renew deadline. At the
   * deadline the call's signal aborts and the call is abandoned, even if the LeaseApi ignores the signal.
   */
  private async call<T>(verb: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { clock, renewDeadlineMs, requestTimeoutMs, namespace, name } = this.o;
    const ms = this.leading
      ? Math.min(requestTimeoutMs, this.lastRenew + renewDeadlineMs - clock.monotonic())
      : requestTimeoutMs;
    const ac = new AbortController();
    const timeout = new OperatorError('LEASE_TIMEOUT', `${verb} Lease ${namespace}/${name}: no answer within ${ms} ms`);
    const timer = clock.setTimeout(() => ac.abort(timeout), ms);
    this.inFlight.add(ac);
    try {
      return await Promise.race([fn(ac.signal), aborted(ac.signal)]);
    } finally {
      timer.cancel();
      this.inFlight.delete(ac);
    }
  }

  /** A write failed: without an HTTP status (timeout, connection) it may still have been applied. */
  private writeFailed(err: unknown): false {
    const status = httpStatus(err);
    if (status === undefined) this.mayHold = true;
    if (status === 409) return false; // another candidate wrote first: not ours this round
    throw err;
  }

  /** One round: true when this candidate holds the lease afterwards. */
  private async tryAcquireOrRenew(wallNow: number): Promise<boolean> {
    const { leaseApi, namespace, name, identity, leaseDurationMs, clock } = this.o;
    const micro = new V1MicroTime(wallNow);
    const durationSeconds = Math.ceil(leaseDurationMs / 1000);
    const current = await this.call('get', (signal) => leaseApi.read(namespace, name, signal));
    if (!current) {
      const lease: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: micro,
          renewTime: micro,
          leaseTransitions: 0,
        },
      };
      try {
        const created = await this.call('create', (signal) => leaseApi.create(lease, signal));
        this.observe(created, clock.monotonic());
        this.mayHold = true;
        return true;
      } catch (err) {
        return this.writeFailed(err);
      }
    }
    const seen = clock.monotonic();
    this.observe(current, seen);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const mine = holder === identity;
    const heldByOther = holder !== '' && !mine;
    const duration = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    this.takenOver = heldByOther;
    this.mayHold = mine;
    if (heldByOther && this.observedAt + duration > seen) return false;
    try {
      const updated = await this.call('update', (signal) =>
        leaseApi.replace(
          {
            ...current,
            spec: {
              ...spec,
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              renewTime: micro,
              acquireTime: mine && spec.acquireTime ? spec.acquireTime : micro,
              leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
            },
          },
          signal,
        ),
      );
      this.observe(updated, clock.monotonic());
      this.mayHold = true;
      return true;
    } catch (err) {
      return this.writeFailed(err);
    }
  }

  /** Remembers the record and when it last changed, on our own clock (when we saw it). */
  private observe(lease: V1Lease, now: number): void {
    const s = lease.spec ?? {};
    const key = `${s.holderIdentity ?? ''}|${String(s.renewTime ?? '')}|${lease.metadata?.resourceVersion ?? ''}`;
    if (this.observed?.key !== key) this.observedAt = now;
    this.observed = { key, lease };
  }
}
