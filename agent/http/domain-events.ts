// Pekko Management's GET /cluster/domain-events, as pure functions (docs/agent.md, "What it serves"): the member
// events between two pictures of the membership, their wire format, and the `type` filter. Pekko's node subscribes
// the stream with InitialStateAsEvents, so a subscriber first gets the change from nothing to now, then every change.
//
// What Pekko (1.1) sends, and so the agent: per member whose status is new or changed MemberJoined / MemberWeaklyUp /
// MemberUp / MemberLeft / MemberExited / MemberDowned (by the new status), MemberRemoved (with `previousStatus`) for a
// member gone, UnreachableMember / ReachableMember, then LeaderChanged; removals first. Each is one server-sent event,
// `data:` the JSON (keys in alphabetical order, as spray-json writes them; `longUid` a JSON number with every digit),
// then `event:` the type, then a blank line; `data:` alone is the keep-alive. Not sent by the agent: RoleLeaderChanged
// (it has no role leaders), the data-center events (one data center) and ClusterShuttingDown.
import { canonicalUid } from '../../core/protocol/pekko.ts';
import { keyOf } from '../membership/record.ts';
import type { View } from '../membership/view.ts';

/** One member as the events carry it. */
export interface PictureMember {
  node: string;
  uid: string;
  status: string;
  upNumber: number;
  roles: readonly string[];
}

/** What the events describe: the members, who is unreachable (addresses), the leader. */
export interface Picture {
  members: readonly PictureMember[];
  unreachable: readonly string[];
  leader: string | undefined;
}

export const EMPTY_PICTURE: Picture = { members: [], unreachable: [], leader: undefined };

/** The picture of a view (what /cluster/members shows); empty without one. */
export function pictureOf(view: View | undefined): Picture {
  if (!view) return EMPTY_PICTURE;
  return { members: view.members, unreachable: view.unreachable.map((u) => u.member.node), leader: view.leader?.node };
}

export interface MemberChanges<M> {
  /** In `after` and not in `before` (by address and uid). */
  added: M[];
  /** In both, with another status or upNumber. */
  changed: M[];
  /** In `before` and not in `after`: the member as it was. */
  removed: M[];
}

/** The members added, changed and removed from one list to the next (one member: one address and uid). */
export function memberChanges<M extends PictureMember>(before: readonly M[], after: readonly M[]): MemberChanges<M> {
  const was = new Map(before.map((m) => [keyOf(m), m]));
  const now = new Set(after.map(keyOf));
  const added: M[] = [];
  const changed: M[] = [];
  for (const m of after) {
    const old = was.get(keyOf(m));
    if (!old) added.push(m);
    else if (old.status !== m.status || old.upNumber !== m.upNumber) changed.push(m);
  }
  return { added, changed, removed: before.filter((m) => !now.has(keyOf(m))) };
}

/** Pekko's event for a member that now has this status; none for another status (Removed, PreparingForShutdown...). */
const BY_STATUS = new Map([
  ['Joining', 'MemberJoined'],
  ['WeaklyUp', 'MemberWeaklyUp'],
  ['Up', 'MemberUp'],
  ['Leaving', 'MemberLeft'],
  ['Exiting', 'MemberExited'],
  ['Down', 'MemberDowned'],
]);

export type DomainEvent =
  | { type: string; member: PictureMember; previousStatus?: string }
  | { type: 'LeaderChanged'; leader: string | undefined };

/** The events from one picture to the next, in Pekko's order; [] when nothing changed. */
export function domainEvents(before: Picture, after: Picture): DomainEvent[] {
  const { added, changed, removed } = memberChanges(before.members, after.members);
  const events: DomainEvent[] = removed.map((m) => ({
    type: 'MemberRemoved',
    member: { ...m, status: 'Removed' },
    previousStatus: m.status,
  }));
  for (const m of [...added, ...changed]) {
    const type = BY_STATUS.get(m.status);
    if (type) events.push({ type, member: m });
  }
  const member = (node: string) => after.members.find((m) => m.node === node);
  const was = new Set(before.unreachable);
  const is = new Set(after.unreachable);
  for (const node of after.unreachable) {
    const m = member(node);
    if (!was.has(node) && m) events.push({ type: 'UnreachableMember', member: m });
  }
  for (const node of before.unreachable) {
    const m = member(node);
    if (!is.has(node) && m) events.push({ type: 'ReachableMember', member: m });
  }
  if (before.leader !== after.leader) events.push({ type: 'LeaderChanged', leader: after.leader });
  return events;
}

const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** Pekko's data center is the `dc-` role's suffix. */
const dataCenter = (roles: readonly string[]) => roles.find((r) => r.startsWith('dc-'))?.slice(3) ?? 'default';

const memberJson = (m: PictureMember) => ({
  dataCenter: dataCenter(m.roles),
  roles: m.roles,
  status: m.status,
  uniqueAddress: { address: m.node, longUid: rawJson(canonicalUid(m.uid) ?? '0') },
});

/** One event as Pekko Management writes it: `data:<json>`, `event:<type>`, a blank line. */
export function formatDomainEvent(e: DomainEvent): string {
  let data: object;
  if ('member' in e) {
    data =
      e.previousStatus === undefined
        ? { member: memberJson(e.member), type: e.type }
        : { member: memberJson(e.member), previousStatus: e.previousStatus, type: e.type };
  } else {
    data = e.leader === undefined ? { type: e.type } : { address: e.leader, type: e.type };
  }
  return `data:${JSON.stringify(data)}\nevent:${e.type}\n\n`;
}

/** Pekko's keep-alive (an event with empty data), sent every KEEP_ALIVE_MS. */
export const KEEP_ALIVE = 'data:\n\n';
export const KEEP_ALIVE_MS = 10_000;
export const EVENT_STREAM_TYPE = 'text/event-stream';

/** The names the `type` parameter takes, and the events each selects (Pekko's event classes and their groups). */
const MEMBER_EVENTS = [...BY_STATUS.values(), 'MemberRemoved'];
const REACHABILITY_EVENTS = ['UnreachableMember', 'ReachableMember'];
const GROUPS = new Map<string, readonly string[]>([
  ['MemberEvent', MEMBER_EVENTS],
  ['ReachabilityEvent', REACHABILITY_EVENTS],
  ...[...MEMBER_EVENTS, ...REACHABILITY_EVENTS, 'LeaderChanged'].map((t): [string, string[]] => [t, [t]]),
  // Pekko knows these too; the agent never sends them.
  ...[
    'RoleLeaderChanged',
    'ClusterShuttingDown',
    'DataCenterReachabilityEvent',
    'UnreachableDataCenter',
    'ReachableDataCenter',
  ].map((t): [string, string[]] => [t, []]),
]);

/**
 * Which events a request asks for: every one without `type`; else those the `type` values name (repeatable, e.g.
 * `?type=MemberUp&type=MemberRemoved`). Unknown names are ignored, as in Pekko: only unknown names select nothing,
 * and the stream then carries only keep-alives.
 */
export function typeFilter(path: string): (type: string) => boolean {
  const q = path.indexOf('?');
  const types = q < 0 ? [] : new URLSearchParams(path.slice(q + 1)).getAll('type');
  if (types.length === 0 || types.includes('ClusterDomainEvent')) return () => true;
  const wanted = new Set(types.flatMap((t) => GROUPS.get(t) ?? []));
  return (type) => wanted.has(type);
}
