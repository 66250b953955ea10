// What a member derives from the current record and its pod cache (pod signals, its view), remembered: every pod
// event and every answer reaches every member, and most change nothing it shows. Recomputed when the record state,
// the pods (to a different set of signals) or a member's join grace change.
import { suspects } from './duties.ts';
import type { PodCache } from './pod-cache.ts';
import { type PodSignal, podSignals } from './pod-signals.ts';
import { keyOf, type MembershipState } from './record.ts';
import { observe, type View } from './view.ts';

interface Memo {
  state: MembershipState;
  revision: number;
  validUntil: number;
  signals: Map<string, PodSignal>;
  views: Map<string, View>;
}

export class Derived {
  readonly #pods: PodCache;
  readonly #joinGraceMs: number;
  readonly #self: { node: string; key: string };
  readonly #firstSeen: (key: string) => number | undefined;
  #memo: Memo | undefined;

  constructor(
    pods: PodCache,
    joinGraceMs: number,
    self: { node: string; key: string },
    firstSeen: (key: string) => number | undefined,
  ) {
    this.#pods = pods;
    this.#joinGraceMs = joinGraceMs;
    this.#self = self;
    this.#firstSeen = firstSeen;
  }

  /** The pod signals for `s` at monotonic `now` (none until the pod cache synced). */
  signals(s: MembershipState, now: number): Map<string, PodSignal> {
    const pods = this.#pods;
    if (!pods.synced) return new Map();
    const m = this.#memo;
    if (m && m.state === s && m.revision === pods.revision && now < m.validUntil) return m.signals;
    const seen = (k: string) => this.#firstSeen(k) ?? now;
    let signals = podSignals(s.members, pods.pods(), seen, now, this.#joinGraceMs);
    // The same signals as before (most pod changes touch no member's signal): keep the old map, and its views.
    const same = m?.state === s && m.signals.size === signals.size;
    if (same && [...signals].every(([k, v]) => m.signals.get(k)?.key === v.key)) signals = m.signals;
    let validUntil = Number.POSITIVE_INFINITY;
    for (const x of s.members) {
      const ends = seen(keyOf(x)) + this.#joinGraceMs;
      if (ends > now && ends < validUntil) validUntil = ends;
    }
    const views = signals === m?.signals ? m.views : new Map<string, View>();
    this.#memo = { state: s, revision: pods.revision, validUntil, signals, views };
    return signals;
  }

  /** This node's view of `s` (with its own status shown as `selfStatus` when given). */
  view(s: MembershipState, now: number, selfStatus?: string): View {
    const signals = this.signals(s, now);
    const memo = this.#memo?.signals === signals ? this.#memo : undefined;
    const cached = memo?.views.get(selfStatus ?? '');
    if (cached) return cached;
    const view = observe({
      state: s,
      selfNode: this.#self.node,
      selfKey: this.#self.key,
      suspects: suspects(s, signals),
      ...(selfStatus === undefined ? {} : { selfStatus }),
    });
    memo?.views.set(selfStatus ?? '', view);
    return view;
  }
}
