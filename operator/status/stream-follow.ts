// What the probe scheduler does with a resource's event stream (probe-scheduler.ts, docs/status.md "Event streams"):
// which pods to hold the stream to, and, after a member event, chasing the pods that have not heard of it yet.
//
// The status takes the member list most answers report (compute.ts), and the other members learn a change by gossip
// a moment after the stream's pod does. So for `chaseMs` after an event, a pod whose member list differs from the
// stream pod's is asked again `stepMs` after its answer came in, until it agrees; pods that agree are left alone. At
// most `max` pods are chased at once per resource.
import type { Clock } from '../../core/runtime/clock.ts';
import type { NodeAnswer } from './compute.ts';
import type { StreamCandidate } from './event-streams.ts';
import type { Target } from './probe-scheduler.ts';

/** The scheduler's view of one pod, as these helpers read it. */
export interface PodEntry {
  incarnation: string;
  ready: boolean;
  answer?: NodeAnswer;
  failures: number;
  target: Target;
  inFlight: boolean;
}

/** What the scheduler needs of event-streams.ts. */
export interface StreamPort {
  /** Keeps a stream to one of the candidates (best first); true while one is live. */
  follow(key: string, candidates: StreamCandidate[], onChange: (pod?: string) => void): boolean;
  forget(key: string): void;
}

/** Pods to hold a stream to: those whose last answer listed members, the one that is the oldest member first. */
export function streamCandidates(entries: Iterable<PodEntry>): StreamCandidate[] {
  const answering = [...entries].filter((e) => e.answer?.members && !e.failures && e.ready);
  const rank = (e: PodEntry) => (e.answer?.members?.oldest === e.answer?.selfNode ? 0 : 1);
  return answering
    .sort((a, b) => rank(a) - rank(b) || a.target.contactPoint.pod.localeCompare(b.target.contactPoint.pod))
    .map((e) => ({
      pod: e.target.contactPoint.pod,
      incarnation: e.incarnation,
      host: e.target.contactPoint.host,
      port: e.target.contactPoint.port,
    }));
}

/** What a pod says of the membership, to compare two answers. */
const membersOf = (a: NodeAnswer) =>
  JSON.stringify([
    a.members?.list.map((m) => `${m.node} ${m.status}`).sort(),
    [...(a.members?.unreachable ?? [])].sort(),
  ]);

export interface ChaserOptions {
  clock: Clock;
  chaseMs: number;
  stepMs: number;
  /** At most this many chase probes scheduled at once per resource (a big cluster must not starve the others). */
  max: number;
  /** Probes the pod now unless a probe of it is in flight. */
  reprobe: (key: string, pod: string) => void;
}

export class Chaser {
  private readonly o: ChaserOptions;
  /** Per resource: the pod the event came from, until when the others are chased, and who has a probe scheduled. */
  private readonly chases = new Map<string, { source: string; until: number; scheduled: Set<string> }>();

  constructor(o: ChaserOptions) {
    this.o = o;
  }

  /** A member event came from `source`'s stream. */
  start(key: string, source: string): void {
    const scheduled = this.chases.get(key)?.scheduled ?? new Set<string>();
    this.chases.set(key, { source, until: this.o.clock.now() + this.o.chaseMs, scheduled });
  }

  /** After an answer of the resource came in: schedules a probe of each pod that disagrees with the source. */
  check(key: string, entries: ReadonlyMap<string, PodEntry> | undefined): void {
    const c = this.chases.get(key);
    if (!c || !entries) return;
    if (this.o.clock.now() >= c.until) {
      this.chases.delete(key);
      return;
    }
    const source = entries.get(c.source)?.answer;
    if (!source) return;
    const want = membersOf(source);
    for (const [pod, e] of entries) {
      if (c.scheduled.size >= this.o.max) return;
      if (e.inFlight || c.scheduled.has(pod) || !e.answer || e.failures || membersOf(e.answer) === want) continue;
      c.scheduled.add(pod);
      this.o.clock.setTimeout(() => {
        c.scheduled.delete(pod);
        if (this.chases.get(key) === c) this.o.reprobe(key, pod);
      }, this.o.stepMs);
    }
  }

  forget(key: string): void {
    this.chases.delete(key);
  }
}
