// Keeps the pods' answers and decides which pods to probe when. Each reconcile's observe() (through observer.ts) gets
// the observation computed from what is known now, at once; probes that are due run in the background, bounded by a
// global concurrency limit, and a changed answer asks for another reconcile through onChange(key). Probes fall due
// on one shared timer (armed for the earliest due probe of every resource, at most every `tickMs`), so a resource
// need not be reconciled for its pods to be probed.
//
// Probe cadence (per pod): at once when a pod is new or its readiness or IP changed; every `fastMs` while the cluster
// can change (not Formed, or less than `settleMs` after a pod came, went or changed readiness); every `slowMs` once
// Formed and settled (or the resource's own `slowMs`, when shorter); failures back off exponentially up to `slowMs`,
// and a pod that has never answered (behind a NetworkPolicy, or no Pekko Management) on to `silentMaxMs`.
// The reconcile is asked back (`requeueAfterMs`) every `fastMs` only while some pod answers and the cluster can change
// (not Formed, or settling): a formation that stalls is then diagnosed on time. Otherwise after `quietMs`: a changed
// answer or a pod event brings it back sooner (docs/status.md, "Probing").
// When an answer shows the cluster is no longer Formed (members unreachable, a split), every pod that answered is
// due again within `fastMs` of its last probe, not at its slow time. A change of the pod set makes every other
// pod's answer stale too (its member list and oldest member), so those pods are asked again at once. At most
// `maxProbesPerPass` probes start per observe(), oldest answers first, so a 1000-pod cluster is sampled over time
// instead of probed in full on every reconcile.
// Event streams (event-streams.ts, stream-follow.ts): a member event, or a live stream's loss, pokes the resource:
// every pod that answered is asked at once (not on the next tick), the cluster counts as changing (fast for settleMs),
// a reconcile is asked for, and pods that disagree with the stream's pod are chased. A live stream stretches the
// Formed-and-settled interval to `streamSlowFactor` x slowMs (a resource's own, shorter slowMs stays).
import type { ContactPointStatus, Phase } from '../../core/api/types.ts';
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import { ConcurrencyLimit } from '../kernel/limit.ts';
import { type ComputeInput, computeObservation, type Observation, type PodView } from './compute.ts';
import { probeNode } from './probe.ts';
import type { HttpGet } from './probe-http.ts';
import type { StatusProblems } from './problems.ts';
import { Chaser, type PodEntry, type StreamPort, streamCandidates } from './stream-follow.ts';

export interface ProbeSchedulerOptions {
  get: HttpGet;
  clock: Clock;
  /** Called with a resource's key when a probe brought a different answer. */
  onChange: (key: string) => void;
  concurrency?: number;
  fastMs?: number;
  slowMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  maxProbesPerPass?: number;
  /** The backoff ceiling of a pod that has never answered since it was first seen (at least slowMs). */
  silentMaxMs?: number;
  /** When nothing can change without an answer or an event, the reconcile looks again after this long anyway. */
  quietMs?: number;
  /** The shared probe timer fires at most this often (due probes wait for the next tick). */
  tickMs?: number;
  /** After a change of the pod set or of a pod's readiness, how long every pod is probed every fastMs. */
  settleMs?: number;
  /** Holds a member event stream per resource (event-streams.ts); left out, the scheduler only polls. */
  streams?: StreamPort;
  /** While a resource's stream is live, its Formed-and-settled interval is this many times slowMs. */
  streamSlowFactor?: number;
  /** After a member event, how long pods that disagree with the stream's pod are chased, and how often. */
  chaseMs?: number;
  chaseStepMs?: number;
}

/** A contact point with the identity of the pod incarnation it belongs to. */
export interface Target {
  contactPoint: ContactPointStatus;
  /** Changes when the pod is replaced or gets another IP (pod uid + IP). */
  incarnation: string;
  /** False: a pod of the resource the discovery selector does not find (probed, not a contact point). */
  discovered?: boolean;
}

/** What observe() needs besides the targets. */
export type ObserveExtras = Omit<ComputeInput, 'views' | 'formedBefore'> &
  StatusProblems & {
    previousPhase?: Phase;
    /** This resource's slow interval, when shorter than the scheduler's (a split brain resolver's stable-after). */
    slowMs?: number;
  };

interface Entry extends PodEntry {
  error?: string;
  /** The pod as last observed (where to probe it) and its probe interval then. */
  interval: number;
  /** Whether this pod incarnation ever answered. */
  answered: boolean;
  nextAt: number;
  lastAt: number;
  /** Poked while a probe was in flight: its answer may predate the change, so ask once more when it is in. */
  again?: boolean;
}

export class ProbeScheduler {
  private readonly limit: ConcurrencyLimit;
  private readonly o: Required<Omit<ProbeSchedulerOptions, 'streams'>> & { streams?: StreamPort };
  private readonly entries = new Map<string, Map<string, Entry>>();
  /** Per resource: when its pod set or a pod's readiness last changed. */
  private readonly changedAt = new Map<string, number>();
  private readonly chaser: Chaser;
  private timer: Timer | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastTick = Number.NEGATIVE_INFINITY;
  /** Probes started, for tests and the metrics. */
  probes = 0;

  constructor(options: ProbeSchedulerOptions) {
    this.o = {
      concurrency: 16,
      fastMs: 2000,
      slowMs: 30_000,
      timeoutMs: 2000,
      maxBytes: 256 * 1024,
      maxProbesPerPass: 16,
      settleMs: 20_000,
      silentMaxMs: 120_000,
      quietMs: 300_000,
      tickMs: 250,
      streamSlowFactor: 4,
      chaseMs: 3000,
      chaseStepMs: 100,
      ...options,
    };
    this.limit = new ConcurrencyLimit(this.o.concurrency);
    this.chaser = new Chaser({
      clock: this.o.clock,
      chaseMs: this.o.chaseMs,
      stepMs: this.o.chaseStepMs,
      max: this.o.maxProbesPerPass,
      reprobe: (key, pod) => {
        const e = this.entries.get(key)?.get(pod);
        if (e && !e.inFlight) void this.probe(key, e);
      },
    });
  }

  /**
   * The observation for one resource from the answers known now; starts the probes that are due.
   * `requeueAfterMs`: when the reconcile should look again even if no answer changes.
   */
  observe(
    key: string,
    targets: Target[],
    input: ObserveExtras,
  ): { observation: Observation; requeueAfterMs: number; views: PodView[] } {
    const now = this.o.clock.now();
    const known = this.entries.get(key) ?? new Map<string, Entry>();
    const next = new Map<string, Entry>();
    let changed = false;
    for (const t of targets) {
      const pod = t.contactPoint.pod;
      const prev = known.get(pod);
      const fresh = !prev || prev.incarnation !== t.incarnation;
      const entry: Entry =
        prev && !fresh
          ? prev
          : {
              incarnation: t.incarnation,
              ready: t.contactPoint.ready,
              failures: 0,
              target: t,
              interval: this.o.fastMs,
              answered: false,
              nextAt: now,
              lastAt: 0,
              inFlight: false,
            };
      // A replaced pod, or one already Ready when first seen (not the resource's first pass), changes membership.
      // A new pod that is not Ready yet does not: its readiness change will.
      if (prev ? fresh : known.size > 0 && t.contactPoint.ready) changed = true;
      if (entry.ready !== t.contactPoint.ready) {
        changed = true;
        // Readiness changed: what the node said before (typically "not joined") is outdated. Drop it rather than
        // report it, and ask again at once.
        entry.ready = t.contactPoint.ready;
        delete entry.answer;
        delete entry.error;
        // A pod that just became Ready (its management endpoint up, typically) starts its backoff afresh.
        entry.failures = 0;
        entry.nextAt = now;
      }
      entry.target = t;
      next.set(pod, entry);
    }
    if ([...known.keys()].some((pod) => !next.has(pod))) changed = true;
    if (changed) {
      // Members came or went: what the other pods said about membership (count, oldest) is outdated. Ask the pods
      // that answered again now; failing pods keep their backoff.
      this.changedAt.set(key, now);
      for (const e of next.values()) if (e.answer) e.nextAt = Math.min(e.nextAt, now);
    }
    this.entries.set(key, next);

    const { previousPhase, slowMs: _ownSlowMs, ...extras } = input;
    const views = targets.map((t): PodView => {
      const e = next.get(t.contactPoint.pod) as Entry;
      const contactPoint = e.answer ? { ...t.contactPoint, node: e.answer.selfNode } : t.contactPoint;
      return {
        contactPoint,
        ...(t.discovered === false ? { discovered: false } : {}),
        ...(e.answer ? { answer: e.answer } : {}),
        ...(e.error ? { error: e.error } : {}),
      };
    });
    const observation = computeObservation({
      ...extras,
      formedBefore: previousPhase === 'Formed' || previousPhase === 'Degraded',
      views,
    });

    const formed = (input.previousPhase ?? observation.phase) === 'Formed' && observation.phase === 'Formed';
    const settling = now - (this.changedAt.get(key) ?? Number.NEGATIVE_INFINITY) < this.o.settleMs;
    const streaming =
      this.o.streams?.follow(key, streamCandidates(next.values()), (pod) => this.poke(key, pod)) ?? false;
    const ownSlow = streaming ? this.o.slowMs * this.o.streamSlowFactor : this.o.slowMs;
    const slow = Math.max(this.o.fastMs, Math.min(ownSlow, input.slowMs ?? ownSlow));
    const interval = formed && !settling ? slow : this.o.fastMs;
    // The pace may have slowed (settled, or Formed now): a pod that answered is next asked an interval after its last
    // answer, not at the time its last, faster probe set. A change this pass asked them at once instead.
    if (!changed)
      for (const e of next.values()) if (e.answer && !e.failures) e.nextAt = Math.max(e.nextAt, e.lastAt + interval);
    if (observation.phase !== 'Formed') {
      // One answer says the cluster changed (an unreachable member, a split): the others, probed at the slow pace
      // so far, must not wait for their slow time, or the resolver may have acted before anyone looks.
      for (const e of next.values())
        if (e.answer && !e.failures) e.nextAt = Math.min(e.nextAt, e.lastAt + this.o.fastMs);
    }
    for (const e of next.values()) e.interval = interval;
    const due = [...next.values()]
      .filter((e) => !e.inFlight && e.nextAt <= now)
      .sort((a, b) => a.lastAt - b.lastAt)
      .slice(0, this.o.maxProbesPerPass);
    for (const e of due) void this.probe(key, e);
    // Pods over the per-pass limit, and every later probe, are the shared timer's.
    this.arm(Math.min(...[...next.values()].filter((e) => !e.inFlight).map((e) => e.nextAt)));
    const answering = [...next.values()].some((e) => e.answer);
    const requeueAfterMs = answering && (!formed || settling) ? interval : this.o.quietMs;
    return { observation, requeueAfterMs, views };
  }

  /** Drops what is known about a resource (it was deleted). */
  forget(key: string): void {
    this.entries.delete(key);
    this.changedAt.delete(key);
    this.chaser.forget(key);
    this.o.streams?.forget(key);
  }

  /**
   * The cluster may have changed (a member event from `source`'s stream): every pod that answered is asked again now
   * (one probe each, one more after an answer already in flight), the resource probes fast for settleMs, pods that
   * disagree with `source` are chased for chaseMs, and a reconcile is asked for.
   */
  poke(key: string, source?: string): void {
    const entries = this.entries.get(key);
    if (!entries) return;
    const now = this.o.clock.now();
    this.changedAt.set(key, now);
    if (source) this.chaser.start(key, source);
    for (const e of entries.values()) {
      if (!e.answer || e.failures) continue;
      e.interval = this.o.fastMs;
      e.nextAt = now;
      if (e.inFlight) e.again = true;
      else void this.probe(key, e);
    }
    this.o.onChange(key);
  }

  /** Arms the shared timer for `at` (wall ms), unless it fires earlier already; never sooner than tickMs apart. */
  private arm(at: number): void {
    if (!Number.isFinite(at)) return;
    const when = Math.max(at, this.lastTick + this.o.tickMs);
    if (this.timer && when >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = when;
    this.timer = this.o.clock.setTimeout(() => this.tick(), when - this.o.clock.now());
  }

  /** Starts every due probe of every resource, then arms the timer for the earliest one not due yet. */
  private tick(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.o.clock.now();
    this.lastTick = now;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entries] of this.entries) {
      for (const e of entries.values()) {
        if (e.inFlight) continue;
        if (e.nextAt <= now) void this.probe(key, e);
        else next = Math.min(next, e.nextAt);
      }
    }
    this.arm(next);
  }

  private async probe(key: string, e: Entry): Promise<void> {
    const t = e.target;
    e.inFlight = true;
    await this.limit.acquire();
    this.probes++;
    try {
      const { host, port } = t.contactPoint;
      const result = await probeNode(this.o.get, host, port, {
        timeoutMs: this.o.timeoutMs,
        maxBytes: this.o.maxBytes,
      });
      const now = this.o.clock.now();
      const before = JSON.stringify([e.answer, e.error]);
      if (result.answer) {
        e.answer = result.answer;
        delete e.error;
        e.failures = 0;
        e.answered = true;
        e.nextAt = now + e.interval;
      } else {
        e.error = result.error;
        e.failures++;
        e.nextAt = now + this.failureDelay(e.failures, e.answered);
      }
      e.lastAt = now;
      // Only a resource still tracking this pod incarnation cares about the answer.
      const current = this.entries.get(key)?.get(t.contactPoint.pod);
      if (current === e && JSON.stringify([e.answer, e.error]) !== before) this.o.onChange(key);
    } finally {
      e.inFlight = false;
      this.limit.release();
      if (this.entries.get(key)?.get(t.contactPoint.pod) === e) {
        if (e.again) {
          e.again = false;
          void this.probe(key, e);
        } else {
          this.arm(e.nextAt);
          this.chaser.check(key, this.entries.get(key));
        }
      }
    }
  }

  /** The wait after the nth failure in a row: fastMs doubling, up to slowMs, or silentMaxMs if it never answered. */
  private failureDelay(failures: number, answered: boolean): number {
    const ceiling = answered ? this.o.slowMs : Math.max(this.o.slowMs, this.o.silentMaxMs);
    return Math.min(ceiling, this.o.fastMs * 2 ** (failures - 1));
  }
}
