// Pekko's orders and choices over members, as Pekko and Pekko Management define them (docs/membership.md):
//   - member order (Member.ordering): host as a string, then port, then uid (UniqueAddress.compare);
//   - age order (Member.ageOrdering): upNumber, then the address order;
//   - leader (MembershipState.leaderOf): among reachable, not Down members, the first in member order whose status is
//     Up or Leaving (or a shutdown status); if none, the lowest by Pekko's leader-status order;
//   - oldest and oldestPerRole (Pekko Management): the oldest Up member, overall and per role;
//   - /cluster/members lists its members set by the whole address string (ClusterMember's Ordering.by(_.node)).
import {
  compareNodeAddresses,
  compareStrings,
  type NodeAddress,
  parseNodeAddress,
} from '../../core/protocol/address.ts';
import type { MemberEntry } from './record.ts';

const parsed = new Map<string, NodeAddress | null>();
/** parseNodeAddress, remembered: views sort the same few addresses over and over. */
export function addressOf(node: string): NodeAddress | undefined {
  let a = parsed.get(node);
  if (a === undefined) {
    if (parsed.size > 50_000) parsed.clear();
    const p = parseNodeAddress(node);
    a = p.ok ? p.value : null;
    parsed.set(node, a);
  }
  return a ?? undefined;
}

/** Pekko's Member.addressOrdering on address strings; unparsable ones last, by text. */
function compareAddresses(a: string, b: string): number {
  const x = addressOf(a);
  const y = addressOf(b);
  if (x && y) return compareNodeAddresses(x, y);
  return x ? -1 : y ? 1 : compareStrings(a, b);
}

const LEADER_STATUSES = new Set(['Up', 'Leaving', 'PreparingForShutdown', 'ReadyForShutdown']);
/** Pekko's leaderStatusOrdering: these statuses sort last, in this order (Down last of all). */
const LEADER_RANK: Record<string, number> = { WeaklyUp: 1, Joining: 2, Exiting: 3, Down: 4 };

function compareUids(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Pekko's Member.ordering: address (host string, port), then uid. */
export function compareMembers(a: MemberEntry, b: MemberEntry): number {
  return compareAddresses(a.node, b.node) || compareUids(a.uid, b.uid);
}

/** Pekko's Member.ageOrdering: the lower upNumber is older; equal numbers by address. */
export function compareAge(a: MemberEntry, b: MemberEntry): number {
  if (a.upNumber !== b.upNumber) return a.upNumber < b.upNumber ? -1 : 1;
  return compareAddresses(a.node, b.node);
}

/** The order of Pekko Management's /cluster/members: the whole address string (uid only to break exact ties). */
export function compareForMembersJson(a: MemberEntry, b: MemberEntry): number {
  return compareStrings(a.node, b.node) || compareUids(a.uid, b.uid);
}

function min<T>(items: readonly T[], cmp: (a: T, b: T) => number): T | undefined {
  let best: T | undefined;
  for (const x of items) if (best === undefined || cmp(x, best) < 0) best = x;
  return best;
}

/** Pekko's leader among `members`, given which are reachable from this observer. */
export function leaderOf(
  members: readonly MemberEntry[],
  reachable: (m: MemberEntry) => boolean,
): MemberEntry | undefined {
  const candidates = members.filter((m) => m.status !== 'Down' && reachable(m)).sort(compareMembers);
  const byStatus = candidates.find((m) => LEADER_STATUSES.has(m.status));
  if (byStatus) return byStatus;
  const rank = (m: MemberEntry) => LEADER_RANK[m.status] ?? 0;
  return min(candidates, (a, b) => rank(a) - rank(b) || compareMembers(a, b));
}

/** The oldest Up member (with `role`, when given). */
export function oldestOf(members: readonly MemberEntry[], role?: string): MemberEntry | undefined {
  const up = members.filter((m) => m.status === 'Up' && (role === undefined || m.roles.includes(role)));
  return min(up, compareAge);
}

/** Each role of an Up member, with the oldest Up member that has it (roles sorted). */
export function oldestPerRole(members: readonly MemberEntry[]): Record<string, string> {
  const roles = [...new Set(members.filter((m) => m.status === 'Up').flatMap((m) => m.roles))].sort(compareStrings);
  const out: Record<string, string> = {};
  for (const role of roles) {
    const o = oldestOf(members, role);
    if (o) out[role] = o.node;
  }
  return out;
}
