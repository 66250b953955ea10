// Lease-based leader election on coordination.k8s.io/v1, following client-go's leaderelection:
//  - a candidate takes the Lease when it does not exist, has no holder, or has not changed for leaseDuration as
//    measured on the candidate's own clock since it last saw the record change (no trust in other clocks);
//  - the leader renews every retryPeriod; if it cannot renew for renewDeadline it has lost the lease, and the caller
//    must stop reconciling at once (main exits the process, so the pod restarts as a follower: controller-runtime's
//    behaviour);
//  - on graceful shutdown the leader releases the lease (empty holder), so a follower takes over without waiting.
// Updates carry the resourceVersion read, so two candidates never both win the same round.
import { type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { httpStatus } from '../errors.ts';
import type { LeaseApi } from '../kube/client.ts';
import type { Random } from './backoff.ts';
import type { Clock, Timer } from './clock.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseApi: LeaseApi;
  clock: Clock;
  log: Logger;
  random?: Random;
  /** controller-runtime's defaults: 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called once when this candidate becomes leader. */
  onStartedLeading: () => void;
  /** Called once when a leader stops being leader for any reason but release(). */
  onStoppedLeading: (reason: string) => void;
}

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, 'random'>> & { random: Random };
  private leading = false;
  private stopped = false;
  private observed: { key: string; lease: V1Lease } | undefined;
  private observedAt = 0;
  private lastRenew = 0;
  /** The last read showed another holder while we thought we led. */
  private takenOver = false;
  private timer: Timer | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    this.o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      random: Math.random,
      ...options,
    };
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning; onStartedLeading fires when the lease is won. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops campaigning or renewing; releases the lease first if this candidate holds it. */
  async release(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.busy;
    if (!this.leading) return;
    this.leading = false;
    const lease = this.observed?.lease;
    if (!lease?.spec) return;
    const now = new V1MicroTime(this.o.clock.now());
    try {
      await this.o.leaseApi.replace({
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
      this.o.log.info({ lease: this.o.name }, 'leader lease released');
    } catch (err) {
      this.o.log.warn({ err, lease: this.o.name }, 'leader lease release failed; it expires on its own');
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
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      log.warn({ err, lease: this.o.name }, 'leader election request failed');
    }
    if (this.stopped) return;
    const now = clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        log.info({ lease: this.o.name, identity: this.o.identity }, 'became leader');
        this.o.onStartedLeading();
      }
    } else if (this.leading && (this.takenOver || now - this.lastRenew >= renewDeadlineMs)) {
      const reason = this.takenOver
        ? 'another candidate holds the lease'
        : 'could not renew the lease within the renew deadline';
      this.leading = false;
      this.stopped = true;
      log.error({ lease: this.o.name, sinceRenewMs: now - this.lastRenew, reason }, 'leader lease lost');
      this.o.onStoppedLeading(reason);
      return;
    }
    // Followers retry with jitter (client-go's JitterFactor 1.2) so candidates do not poll in lockstep.
    this.schedule(this.leading ? retryPeriodMs : Math.round(retryPeriodMs * (1 + 1.2 * this.o.random())));
  }

  /** One round: true when this candidate holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { leaseApi, namespace, name, identity, clock, leaseDurationMs } = this.o;
    const now = clock.now();
    const micro = new V1MicroTime(now);
    const durationSeconds = Math.ceil(leaseDurationMs / 1000);
    const current = await leaseApi.read(namespace, name);
    if (!current) {
      try {
        const created = await leaseApi.create({
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
        });
        this.observe(created, now);
        return true;
      } catch (err) {
        if (httpStatus(err) === 409) return false; // another candidate created it first
        throw err;
      }
    }
    this.observe(current, now);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== identity;
    const duration = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    this.takenOver = heldByOther;
    if (heldByOther && this.observedAt + duration > now) return false;
    const mine = holder === identity;
    try {
      const updated = await leaseApi.replace({
        ...current,
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          renewTime: micro,
          acquireTime: mine && spec.acquireTime ? spec.acquireTime : micro,
          leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
        },
      });
      this.observe(updated, now);
      return true;
    } catch (err) {
      if (httpStatus(err) === 409) return false; // someone else updated it in between: not ours this round
      throw err;
    }
  }

  /** Remembers the record and when it last changed, on our own clock. */
  private observe(lease: V1Lease, now: number): void {
    const s = lease.spec ?? {};
    const key = `${s.holderIdentity ?? ''}|${String(s.renewTime ?? '')}|${lease.metadata?.resourceVersion ?? ''}`;
    if (this.observed?.key !== key) this.observedAt = now;
    this.observed = { key, lease };
  }
}
