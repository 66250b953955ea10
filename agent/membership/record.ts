// The ClusterMembership's status: one cluster's incarnation and members, and the writes the agents make to it, as
// pure functions from one state to the next (docs/membership.md, "Writes"). The API server's resourceVersion makes
// each write conditional; these functions only decide what the next state is, and whether there is a write at all.
//
// Reading is lenient: a member status the agent does not know is kept as it is, and an entry it cannot read (no
// valid address or uid) is kept verbatim in every state it writes back, so no agent ever deletes what it does not
// understand.
import { parseNodeAddress } from '../../core/protocol/address.ts';
import { canonicalUid, DC_DEFAULT_ROLE } from '../../core/protocol/pekko.ts';

export interface Challenge {
  /** From the record's nextChallenge: identifies this challenge, so a removal can require the same one. */
  seq: number;
  /** The challenger's node address (shown as observedBy). */
  by: string;
  /** Why: pod gone, pod terminating, pod not running, not ready, cold start. */
  reason: string;
  /** The pod state (PodSignal.key) that triggered it; the member copies it to `answered` when it refutes. */
  podState?: string;
}

export interface MemberEntry {
  node: string;
  uid: string;
  /** The pod's name, when the member knows it (POD_NAME). */
  pod?: string;
  /** Pekko's member status; kept as read, even when the agent does not know it. */
  status: string;
  upNumber: number;
  /** Configured order, dc-default last. */
  roles: string[];
  challenge?: Challenge;
  /** The pod state of the last challenge this member refuted: that state is no reason to suspect it again. */
  answered?: string;
}

export interface MembershipState {
  /** Incremented by every write: which of two states of the same object is newer. */
  version: number;
  /** The incarnation: its founder's unique address; undefined before the first founding. */
  clusterId: string | undefined;
  nextUpNumber: number;
  nextChallenge: number;
  members: MemberEntry[];
  /** Entries that could not be read, written back as they were. */
  unreadable: unknown[];
}

/** A node about to found or join: its unique address, pod and roles. */
export interface Newcomer {
  node: string;
  uid: string;
  pod?: string | undefined;
  roles: readonly string[];
}

export const EMPTY_STATE: MembershipState = Object.freeze({
  version: 0,
  clusterId: undefined,
  nextUpNumber: 1,
  nextChallenge: 1,
  members: [],
  unreadable: [],
}) as MembershipState;

/** A member incarnation's key: address and uid, like Pekko's UniqueAddress. */
export const keyOf = (m: { node: string; uid: string }): string => `${m.node}#${m.uid}`;

/** Pekko's role set: the configured roles in their order, duplicates dropped, dc-default added last if absent. */
export function withDcRole(roles: readonly string[]): string[] {
  const out = [...new Set(roles)];
  if (!out.includes(DC_DEFAULT_ROLE)) out.push(DC_DEFAULT_ROLE);
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown, def: number): number =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : def;

function readChallenge(v: unknown): Challenge | undefined {
  if (!isObject(v) || !Number.isSafeInteger(v.seq)) return undefined;
  return {
    seq: v.seq as number,
    by: typeof v.by === 'string' ? v.by : '',
    reason: typeof v.reason === 'string' ? v.reason : '',
    ...(typeof v.podState === 'string' ? { podState: v.podState } : {}),
  };
}

function readEntry(v: unknown): MemberEntry | undefined {
  if (!isObject(v) || !parseNodeAddress(v.node).ok || !Number.isSafeInteger(v.upNumber)) return undefined;
  const uid = typeof v.uid === 'string' ? canonicalUid(v.uid) : undefined;
  if (uid === undefined) return undefined;
  const entry: MemberEntry = {
    node: v.node as string,
    uid,
    status: typeof v.status === 'string' && v.status !== '' ? v.status : 'Unknown',
    upNumber: v.upNumber as number,
    roles: Array.isArray(v.roles) ? v.roles.filter((r): r is string => typeof r === 'string') : [],
  };
  if (typeof v.pod === 'string' && v.pod !== '') entry.pod = v.pod;
  const challenge = readChallenge(v.challenge);
  if (challenge) entry.challenge = challenge;
  if (typeof v.answered === 'string') entry.answered = v.answered;
  return entry;
}

/**
 * Reads a ClusterMembership's status. An absent status is the empty state (the operator creates the object without
 * one). Fails only when the status is there but is not an object, or `members` is there but is not an array: writing
 * over such a state could lose data, so the agent does not.
 */
export function readState(status: unknown): { ok: true; state: MembershipState } | { ok: false; error: string } {
  if (status === undefined || status === null) return { ok: true, state: EMPTY_STATE };
  if (!isObject(status)) return { ok: false, error: 'status is not an object' };
  if (status.members !== undefined && !Array.isArray(status.members)) {
    return { ok: false, error: 'status.members is not an array' };
  }
  const members: MemberEntry[] = [];
  const unreadable: unknown[] = [];
  for (const raw of (status.members as unknown[] | undefined) ?? []) {
    const entry = readEntry(raw);
    if (entry) members.push(entry);
    else unreadable.push(raw);
  }
  const clusterId = typeof status.clusterId === 'string' && status.clusterId !== '' ? status.clusterId : undefined;
  const top = members.reduce((n, m) => Math.max(n, m.upNumber), 0);
  return {
    ok: true,
    state: {
      version: count(status.version, 0),
      clusterId,
      nextUpNumber: Math.max(count(status.nextUpNumber, 1), top + 1),
      nextChallenge: count(status.nextChallenge, 1),
      members,
      unreadable,
    },
  };
}

/** The status object to write. */
export function toStatus(s: MembershipState): Record<string, unknown> {
  return {
    version: s.version,
    ...(s.clusterId === undefined ? {} : { clusterId: s.clusterId }),
    nextUpNumber: s.nextUpNumber,
    nextChallenge: s.nextChallenge,
    members: [...s.members, ...s.unreadable],
  };
}

export function memberOf(s: MembershipState, key: string): MemberEntry | undefined {
  return s.members.find((m) => keyOf(m) === key);
}

const entryFor = (n: Newcomer, upNumber: number): MemberEntry => ({
  node: n.node,
  uid: n.uid,
  ...(n.pod ? { pod: n.pod } : {}),
  status: 'Up',
  upNumber,
  roles: withDcRole(n.roles),
});

/** A new incarnation with `self` alone (founding, or a cold-start replacement): the old members are gone. */
export function founded(s: MembershipState, self: Newcomer): MembershipState {
  return {
    version: s.version + 1,
    clusterId: keyOf(self),
    nextUpNumber: 2,
    nextChallenge: s.nextChallenge,
    members: [entryFor(self, 1)],
    unreadable: [],
  };
}

/**
 * `self` joins, Up, with the next upNumber. An entry of the same pod or address with another uid is an earlier
 * incarnation of this node (a restarted container): it is replaced. Undefined when `self` is already a member.
 */
export function joined(
  s: MembershipState,
  self: Newcomer,
): { state: MembershipState; replaced: MemberEntry[] } | undefined {
  if (memberOf(s, keyOf(self))) return undefined;
  const old = (m: MemberEntry) => m.node === self.node || (self.pod !== undefined && m.pod === self.pod);
  return {
    state: {
      ...s,
      version: s.version + 1,
      nextUpNumber: s.nextUpNumber + 1,
      members: [...s.members.filter((m) => !old(m)), entryFor(self, s.nextUpNumber)],
    },
    replaced: s.members.filter(old),
  };
}

/** The member `key` leaves. Undefined when it is not a member. */
export function left(s: MembershipState, key: string): MembershipState | undefined {
  if (!memberOf(s, key)) return undefined;
  return { ...s, version: s.version + 1, members: s.members.filter((m) => keyOf(m) !== key) };
}

/** Challenges the members among `targets` that are not challenged yet. Undefined when none is left to challenge. */
export function challenged(
  s: MembershipState,
  targets: ReadonlyArray<{ key: string; reason: string; podState?: string | undefined }>,
  by: string,
): MembershipState | undefined {
  let next = s.nextChallenge;
  const byKey = new Map(targets.map((t) => [t.key, t]));
  const members = s.members.map((m) => {
    const t = byKey.get(keyOf(m));
    if (t === undefined || m.challenge) return m;
    const podState = t.podState === undefined ? {} : { podState: t.podState };
    return { ...m, challenge: { seq: next++, by, reason: t.reason, ...podState } };
  });
  if (next === s.nextChallenge) return undefined;
  return { ...s, version: s.version + 1, nextChallenge: next, members };
}

/** The member `key` answers its challenge. Undefined when it is not a member or not challenged. */
export function refuted(s: MembershipState, key: string): MembershipState | undefined {
  const m = memberOf(s, key);
  if (!m?.challenge) return undefined;
  const { challenge, ...rest } = m;
  const answered = challenge.podState === undefined ? {} : { answered: challenge.podState };
  return { ...s, version: s.version + 1, members: s.members.map((x) => (x === m ? { ...rest, ...answered } : x)) };
}

/**
 * Removes members whose entry still carries the challenge seq given for it (a refuted or newer challenge keeps the
 * member). Returns the removed entries; undefined when there is none.
 */
export function removed(
  s: MembershipState,
  targets: ReadonlyArray<{ key: string; seq: number }>,
): { state: MembershipState; removed: MemberEntry[] } | undefined {
  const seqs = new Map(targets.map((t) => [t.key, t.seq]));
  const gone = s.members.filter((m) => m.challenge !== undefined && seqs.get(keyOf(m)) === m.challenge.seq);
  if (gone.length === 0) return undefined;
  return {
    state: { ...s, version: s.version + 1, members: s.members.filter((m) => !gone.includes(m)) },
    removed: gone,
  };
}
