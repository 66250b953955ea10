// Pekko's LowestAddressJoinDecider as a pure function (docs/agent.md, How it bootstraps). The rules, in this order:
//   1. some confirmed contact point answered with non-empty seedNodes: join those (at most 5; no margin, no count);
//   2. fewer confirmed contact points than required-contact-point-nr: keep probing;
//   3. the discovered set changed less than stable-margin ago: keep probing;
//   4. contact-with-all-contact-points and some discovered point has no fresh answer: keep probing;
//   5. the lowest confirmed contact point (Pekko's order) is this node and new-cluster-enabled: join self.
//      Otherwise keep probing.
// "Confirmed" means answered within probing-failure-timeout; older answers are ignored.
import type { ContactPoint } from '../../core/discovery/contact-points.ts';
import { type ContactPointKey, compareContactPoints, compareNodeAddressStrings } from '../../core/protocol/address.ts';
import { MAX_SEED_NODES } from '../../core/protocol/pekko.ts';

// Times are monotonic milliseconds (Clock.monotonic): only their differences mean anything.
export interface Observation {
  contactPoint: ContactPoint;
  observedAt: number;
  /** seedNodes[].node of the answer. */
  seedNodes: readonly string[];
}

export interface DecisionInput {
  /** Monotonic milliseconds, like every time below. */
  now: number;
  /** The contact points of the last lookup (empty after a failed one). */
  contactPoints: readonly ContactPoint[];
  /** When the discovered set last changed. */
  contactPointsChangedAt: number;
  observations: readonly Observation[];
  /** This node's management hostname and port: what "self" means. */
  self: { host: string; port: number };
  settings: {
    requiredContactPointNr: number;
    stableMarginMs: number;
    contactWithAllContactPoints: boolean;
    newClusterEnabled: boolean;
    probingFailureTimeoutMs: number;
  };
}

export type KeepProbingReason =
  | 'NotEnoughContactPoints'
  | 'NotStable'
  | 'UnconfirmedContactPoints'
  | 'NotLowestAddress'
  | 'NewClusterDisabled';

export type Decision =
  | { kind: 'JoinOtherSeedNodes'; seedNodes: string[] }
  | { kind: 'JoinSelf' }
  | { kind: 'KeepProbing'; reason: KeepProbingReason; message: string };

export const cpKey = (cp: Pick<ContactPoint, 'host' | 'port'>): string => `${cp.host}:${cp.port}`;
const targetOf = (cp: ContactPoint): ContactPointKey => ({
  host: cp.host,
  port: cp.namedPort ? cp.port : undefined,
  address: cp.podIP,
});

/** Pekko's SelfAwareJoinDecider.matchesSelf: same host (or IP), and same port when the target has one. */
export function matchesSelf(cp: ContactPoint, self: { host: string; port: number }): boolean {
  const hostMatches = cp.host === self.host || cp.podIP === self.host;
  return cp.namedPort ? hostMatches && cp.port === self.port : hostMatches;
}

export function decide(input: DecisionInput): Decision {
  const { settings: s, now } = input;
  const fresh = input.observations.filter((o) => now - o.observedAt <= s.probingFailureTimeoutMs);
  const names = (cps: readonly ContactPoint[]) => cps.map(cpKey).join(', ');

  const seeds = [...new Set(fresh.flatMap((o) => o.seedNodes))].sort(compareNodeAddressStrings);
  if (seeds.length > 0) return { kind: 'JoinOtherSeedNodes', seedNodes: seeds.slice(0, MAX_SEED_NODES) };

  if (fresh.length < s.requiredContactPointNr) {
    return {
      kind: 'KeepProbing',
      reason: 'NotEnoughContactPoints',
      message: `discovered ${input.contactPoints.length} contact points, confirmed ${fresh.length}, which is less than the required ${s.requiredContactPointNr}`,
    };
  }
  if (now - input.contactPointsChangedAt < s.stableMarginMs) {
    return {
      kind: 'KeepProbing',
      reason: 'NotStable',
      message: `contact points changed ${now - input.contactPointsChangedAt}ms ago, less than the stable margin ${s.stableMarginMs}ms`,
    };
  }
  const confirmed = new Set(fresh.map((o) => cpKey(o.contactPoint)));
  if (s.contactWithAllContactPoints) {
    const missing = input.contactPoints.filter((cp) => !confirmed.has(cpKey(cp)));
    if (missing.length > 0) {
      return {
        kind: 'KeepProbing',
        reason: 'UnconfirmedContactPoints',
        message: `no seed-node answer yet from ${names(missing)} (out of ${names(input.contactPoints)})`,
      };
    }
  }
  const lowest = fresh
    .map((o) => o.contactPoint)
    .sort((a, b) => compareContactPoints(targetOf(a), targetOf(b)))[0] as ContactPoint;
  if (!matchesSelf(lowest, input.self)) {
    return {
      kind: 'KeepProbing',
      reason: 'NotLowestAddress',
      message: `this node ${input.self.host}:${input.self.port} is not the lowest address; expecting ${cpKey(lowest)} to form the cluster`,
    };
  }
  if (!s.newClusterEnabled) {
    return {
      kind: 'KeepProbing',
      reason: 'NewClusterDisabled',
      message: `this node is the lowest address but new-cluster-enabled is off; waiting for an existing cluster`,
    };
  }
  return { kind: 'JoinSelf' };
}
