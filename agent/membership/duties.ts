// The writes one node owes the record, decided from what it has seen (docs/membership.md): as the leader, challenge
// members whose pods look dead and remove those whose challenge stayed unanswered for the removal margin; as a
// founder facing a record with members, the cold-start steps. Pure: times are monotonic milliseconds given in.
import type { PodSignal } from './pod-signals.ts';
import { challenged, keyOf, type MembershipState, removed } from './record.ts';
import { observe, type View } from './view.ts';

/** A member is suspect to this observer when its pod looks dead in a state it has not already answered for. */
export function suspects(state: MembershipState, signals: ReadonlyMap<string, PodSignal>): Set<string> {
  const out = new Set<string>();
  for (const m of state.members) {
    const s = signals.get(keyOf(m));
    if (s && s.key !== m.answered) out.add(keyOf(m));
  }
  return out;
}

export interface Duties {
  challenge: Array<{ key: string; reason: string; podState: string }>;
  remove: Array<{ key: string; seq: number; reason: string }>;
}

export interface LeaderInput {
  state: MembershipState;
  selfKey: string;
  signals: ReadonlyMap<string, PodSignal>;
  /** When this node first saw the challenge with this seq (monotonic ms), undefined when never. */
  challengeSeenAt: (seq: number) => number | undefined;
  now: number;
  removalMarginMs: number;
}

/** What the leader writes now: challenges for new suspects, removals for challenges seen unanswered long enough. */
export function leaderDuties(input: LeaderInput): Duties {
  const { state, selfKey, signals, now, removalMarginMs } = input;
  const out: Duties = { challenge: [], remove: [] };
  const suspect = suspects(state, signals);
  for (const m of state.members) {
    const key = keyOf(m);
    if (key === selfKey) continue;
    if (m.challenge) {
      const seen = input.challengeSeenAt(m.challenge.seq);
      if (seen !== undefined && now - seen >= removalMarginMs) {
        out.remove.push({ key, seq: m.challenge.seq, reason: m.challenge.reason });
      }
    } else if (suspect.has(key)) {
      const s = signals.get(key) as PodSignal;
      out.challenge.push({ key, reason: s.reason, podState: s.key });
    }
  }
  return out;
}

export interface LeaderWrite {
  state: MembershipState;
  removed: Array<{ node: string; reason: string }>;
  challenged: Array<{ node: string; reason: string }>;
}

/**
 * The leader's next write: undefined unless this node is the leader in its own view (Pekko's leader among the members
 * reachable to it) and has a removal or a challenge to make.
 */
export function leaderWrite(
  input: LeaderInput & { selfNode: string /** this node's view of `state`, when already computed */; view?: View },
): LeaderWrite | undefined {
  const { state, selfKey, selfNode, signals } = input;
  const leader = (input.view ?? observe({ state, selfNode, selfKey, suspects: suspects(state, signals) })).leader;
  if (!leader || keyOf(leader) !== selfKey) return undefined;
  const d = leaderDuties(input);
  const gone = d.remove.length > 0 ? removed(state, d.remove) : undefined;
  const afterRemoval = gone?.state ?? state;
  const next =
    d.challenge.length > 0 ? (challenged(afterRemoval, d.challenge, selfNode) ?? afterRemoval) : afterRemoval;
  if (next === state) return undefined;
  const reason = new Map(d.remove.map((r) => [r.key, r.reason]));
  const nodeOf = new Map(state.members.map((m) => [keyOf(m), m.node]));
  return {
    state: next,
    removed: (gone?.removed ?? []).map((m) => ({ node: m.node, reason: reason.get(keyOf(m)) ?? '' })),
    challenged:
      next === afterRemoval ? [] : d.challenge.map((c) => ({ node: nodeOf.get(c.key) ?? c.key, reason: c.reason })),
  };
}

/** When the next removal falls due (monotonic ms), or undefined when no challenge is pending. */
export function nextRemovalAt(
  state: MembershipState,
  challengeSeenAt: (seq: number) => number | undefined,
  removalMarginMs: number,
): number | undefined {
  let next: number | undefined;
  for (const m of state.members) {
    const seen = m.challenge ? challengeSeenAt(m.challenge.seq) : undefined;
    if (seen !== undefined && (next === undefined || seen + removalMarginMs < next)) next = seen + removalMarginMs;
  }
  return next;
}

export type FoundingStep =
  | { kind: 'found' }
  | { kind: 'challenge'; targets: Array<{ key: string; reason: string }> }
  | { kind: 'wait'; untilMs: number }
  | { kind: 'replace'; expected: Array<{ key: string; seq: number }> }
  | { kind: 'join'; why: string };

export interface FoundingInput {
  state: MembershipState;
  /** The incarnation the founder found when it started, and the challenge seq it saw on each member since. */
  startedWith: string | undefined;
  seen: ReadonlyMap<string, number>;
  challengeSeenAt: (seq: number) => number | undefined;
  now: number;
  removalMarginMs: number;
}

/**
 * The next step of a node that bootstrap chose to form (JoinSelf): found when the record has no members; otherwise
 * challenge every member, and replace the incarnation once every challenge was seen unanswered for the removal
 * margin. Any sign of life (a refuted challenge, a member it did not challenge, another incarnation) means a live
 * cluster: join it instead.
 */
export function foundingStep(input: FoundingInput): FoundingStep {
  const { state, seen, now, removalMarginMs } = input;
  if (state.clusterId === undefined || state.members.length === 0) return { kind: 'found' };
  if (input.startedWith !== undefined && state.clusterId !== input.startedWith) {
    return { kind: 'join', why: 'another incarnation was founded meanwhile' };
  }
  for (const m of state.members) {
    const mine = seen.get(keyOf(m));
    if (mine !== undefined && m.challenge?.seq !== mine) return { kind: 'join', why: `${m.node} answered` };
  }
  const fresh = state.members.filter((m) => !m.challenge);
  if (fresh.length > 0) {
    if (seen.size > 0) return { kind: 'join', why: `${fresh[0]?.node} joined meanwhile` };
    return { kind: 'challenge', targets: fresh.map((m) => ({ key: keyOf(m), reason: 'cold start' })) };
  }
  let due = Number.NEGATIVE_INFINITY;
  for (const m of state.members) {
    const at = input.challengeSeenAt((m.challenge as { seq: number }).seq);
    due = Math.max(due, (at ?? now) + removalMarginMs);
  }
  if (now < due) return { kind: 'wait', untilMs: due };
  return { kind: 'replace', expected: state.members.map((m) => ({ key: keyOf(m), seq: m.challenge?.seq as number })) };
}
