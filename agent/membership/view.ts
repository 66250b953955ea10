// What one member derives from the record it last read (docs/membership.md, "What each member derives"): who is
// unreachable in its eyes, Pekko's leader, the oldest member overall and per role. Pure.

import { compareMembers, leaderOf, oldestOf, oldestPerRole } from './order.ts';
import { keyOf, type MemberEntry, type MembershipState } from './record.ts';

export interface Unreachable {
  member: MemberEntry;
  /** The challenger, or this observer for a pod signal it has not challenged (yet). */
  observedBy: string;
}

export interface View {
  clusterId: string | undefined;
  /** The record's members, with this node's own status replaced when it is leaving. */
  members: MemberEntry[];
  self: MemberEntry | undefined;
  /** In Pekko's member order. */
  unreachable: Unreachable[];
  leader: MemberEntry | undefined;
  oldest: MemberEntry | undefined;
  oldestPerRole: Record<string, string>;
}

export interface ObserveInput {
  state: MembershipState;
  selfNode: string;
  selfKey: string;
  /** Members whose pods look dead to this observer and that have not refuted a challenge for that pod state. */
  suspects: ReadonlySet<string>;
  /** This node's status as it shows it (Leaving while it leaves); default: as recorded. */
  selfStatus?: string;
}

export function observe(input: ObserveInput): View {
  const { state, selfKey, selfNode, suspects } = input;
  const members = state.members.map((m) =>
    keyOf(m) === selfKey && input.selfStatus !== undefined ? { ...m, status: input.selfStatus } : m,
  );
  const unreachable: Unreachable[] = [];
  for (const m of members) {
    if (keyOf(m) === selfKey) continue; // self is always reachable, as in Pekko
    if (m.challenge) unreachable.push({ member: m, observedBy: m.challenge.by || selfNode });
    else if (suspects.has(keyOf(m))) unreachable.push({ member: m, observedBy: selfNode });
  }
  unreachable.sort((a, b) => compareMembers(a.member, b.member));
  const lost = new Set(unreachable.map((u) => keyOf(u.member)));
  return {
    clusterId: state.clusterId,
    members,
    self: members.find((m) => keyOf(m) === selfKey),
    unreachable,
    leader: leaderOf(members, (m) => !lost.has(keyOf(m))),
    oldest: oldestOf(members),
    oldestPerRole: oldestPerRole(members),
  };
}
