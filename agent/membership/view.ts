// The cluster view: one cluster's identity and member list, changed only by its leader. Pure data and functions.
// docs/membership.md explains the protocol; this file states the data's contracts.
//
// - clusterId is fixed by the founder (its address and uid) and never changes; views of other clusters are ignored.
// - A view is newer than another of the same cluster when its term is higher; in the same term, the one whose
//   leader has the lower address wins (two nodes took over at once; this picks one for everybody); with the same
//   leader, the higher version wins. Every node adopts the newer view whole, so all converge to one.
// - upNumber orders members by age: the founder has 1; the oldest member is the one with the lowest upNumber.
import { compareNodeAddressStrings, parseNodeAddress } from '../../core/protocol/address.ts';
import { canonicalUid, DC_DEFAULT_ROLE, type MemberStatus } from '../../core/protocol/pekko.ts';

export interface MemberId {
  node: string;
  uid: string;
}

export interface MemberRecord extends MemberId {
  status: MemberStatus;
  upNumber: number;
  roles: string[];
}

export interface View {
  clusterId: string;
  term: number;
  version: number;
  /** keyOf() the leader. */
  leader: string;
  nextUpNumber: number;
  members: MemberRecord[];
}

/** A member incarnation's key: address and uid. */
export const keyOf = (m: MemberId): string => `${m.node}#${m.uid}`;
export const nodeOfKey = (key: string): string => key.slice(0, key.lastIndexOf('#'));

/** The new view of a cluster that `self` forms alone. */
export function foundView(self: MemberId, roles: readonly string[]): View {
  return {
    clusterId: keyOf(self),
    term: 1,
    version: 1,
    leader: keyOf(self),
    nextUpNumber: 2,
    members: [{ ...self, status: 'Up', upNumber: 1, roles: withDcRole(roles) }],
  };
}

export function withDcRole(roles: readonly string[]): string[] {
  return [...new Set([...roles, DC_DEFAULT_ROLE])].sort();
}

/** True when `a` is newer than `b` (same cluster assumed). */
export function supersedes(a: View, b: View): boolean {
  if (a.term !== b.term) return a.term > b.term;
  if (a.leader !== b.leader) {
    const c = compareNodeAddressStrings(nodeOfKey(a.leader), nodeOfKey(b.leader));
    return c !== 0 ? c < 0 : a.leader < b.leader;
  }
  return a.version > b.version;
}

export function memberOf(view: View, key: string): MemberRecord | undefined {
  return view.members.find((m) => keyOf(m) === key);
}

/** The oldest member (lowest upNumber) among those `include` accepts. */
export function oldestMember(view: View, include: (m: MemberRecord) => boolean = () => true): MemberRecord | undefined {
  let old: MemberRecord | undefined;
  for (const m of view.members) if (include(m) && (old === undefined || m.upNumber < old.upNumber)) old = m;
  return old;
}

/**
 * The leader admits a joiner, Up at once with the next upNumber. An older incarnation at the same address is
 * replaced (it restarted). Returns the same view when the joiner is already a member.
 */
export function withJoiner(view: View, joiner: MemberId, roles: readonly string[]): View {
  const key = keyOf(joiner);
  if (memberOf(view, key)) return view;
  const members = view.members.filter((m) => m.node !== joiner.node);
  members.push({ ...joiner, status: 'Up', upNumber: view.nextUpNumber, roles: withDcRole(roles) });
  return { ...view, version: view.version + 1, nextUpNumber: view.nextUpNumber + 1, members };
}

/** The leader removes members. The leader itself is never removed this way. */
export function withoutMembers(view: View, keys: ReadonlySet<string>): View {
  const members = view.members.filter((m) => !keys.has(keyOf(m)) || keyOf(m) === view.leader);
  return members.length === view.members.length ? view : { ...view, version: view.version + 1, members };
}

/** `self` becomes the leader in a new term (the old leader stays a member until it is removed). */
export function takenOver(view: View, selfKey: string): View {
  return { ...view, term: view.term + 1, version: view.version + 1, leader: selfKey };
}

/** A leaving leader hands the cluster to `successorKey` in a new term and drops itself. */
export function handedOver(view: View, successorKey: string): View {
  return {
    ...view,
    term: view.term + 1,
    version: view.version + 1,
    leader: successorKey,
    members: view.members.filter((m) => keyOf(m) !== view.leader),
  };
}

const STATUSES = new Set(['Joining', 'WeaklyUp', 'Up', 'Leaving', 'Exiting', 'Down', 'Removed']);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks a view received from a peer; undefined when it is malformed. */
export function readView(v: unknown): View | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.clusterId !== 'string' || typeof o.leader !== 'string') return undefined;
  if (!posInt(o.term) || !posInt(o.version) || !posInt(o.nextUpNumber) || !Array.isArray(o.members)) return undefined;
  const members: MemberRecord[] = [];
  for (const m of o.members as unknown[]) {
    const id = readMemberId(m);
    if (!id) return undefined;
    const r = m as Record<string, unknown>;
    if (!STATUSES.has(r.status as string) || !posInt(r.upNumber) || !Array.isArray(r.roles)) return undefined;
    if (r.roles.some((x) => typeof x !== 'string')) return undefined;
    members.push({ ...id, status: r.status as MemberStatus, upNumber: r.upNumber, roles: r.roles as string[] });
  }
  if (!members.some((m) => keyOf(m) === o.leader)) return undefined;
  return {
    clusterId: o.clusterId,
    term: o.term,
    version: o.version,
    leader: o.leader,
    nextUpNumber: o.nextUpNumber,
    members,
  };
}

/** Checks a {node, uid} received from a peer. */
export function readMemberId(v: unknown): MemberId | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!parseNodeAddress(o.node).ok || typeof o.uid !== 'string') return undefined;
  const uid = canonicalUid(o.uid);
  return uid === undefined ? undefined : { node: o.node as string, uid };
}
