// What a member concludes from its view and what it has heard, as one pure function (docs/membership.md):
//   - members silent for failureTimeout are unreachable; for downAfter, down;
//   - members whose pods are gone (or that answered as another incarnation) do not count at all;
//   - if the members this node still hears are a minority of the counted members (a tie goes to the side with the
//     oldest member), this node is on the wrong side of a partition, or isolated: it leaves;
//   - otherwise the leader removes gone and down members;
//   - a member takes over as leader when the leader and every older member are gone or unreachable and the members
//     it hears are a majority (same tie rule, with failureTimeout as the threshold).
import { keyOf, type MemberRecord, oldestMember, type View } from './view.ts';

export interface Timeouts {
  failureTimeoutMs: number;
  downAfterMs: number;
}

export interface Assessment {
  /** Counted members silent for failureTimeout (never self). */
  unreachable: MemberRecord[];
  /** Keys the leader should remove: gone ones and those silent for downAfter. */
  remove: Set<string>;
  /** This node hears only a minority: it must leave the cluster. */
  minority: boolean;
  /** This (non-leader) node should become the leader. */
  takeOver: boolean;
}

/**
 * `silentMs(key)`: how long since this node last heard from that member (0 for self).
 * `gone`: members known to have no pod any more, or replaced by a new incarnation.
 */
export function assess(
  view: View,
  selfKey: string,
  silentMs: (key: string) => number,
  gone: ReadonlySet<string>,
  t: Timeouts,
): Assessment {
  const counted = view.members.filter((m) => !gone.has(keyOf(m)) || keyOf(m) === selfKey);
  const silent = (m: MemberRecord, ms: number) => keyOf(m) !== selfKey && silentMs(keyOf(m)) >= ms;
  const unreachable = counted.filter((m) => silent(m, t.failureTimeoutMs));
  const down = counted.filter((m) => silent(m, t.downAfterMs));

  const majority = (lost: MemberRecord[]): boolean => {
    const lostKeys = new Set(lost.map(keyOf));
    const heard = counted.length - lost.length;
    if (heard * 2 !== counted.length) return heard * 2 > counted.length;
    const oldest = oldestMember({ ...view, members: counted });
    return oldest !== undefined && !lostKeys.has(keyOf(oldest));
  };
  const minority = !majority(down);

  const remove = new Set<string>(down.map(keyOf));
  for (const k of gone) if (k !== selfKey && view.members.some((m) => keyOf(m) === k)) remove.add(k);

  let takeOver = false;
  const self = view.members.find((m) => keyOf(m) === selfKey);
  if (self && view.leader !== selfKey) {
    const lostKeys = new Set([...unreachable.map(keyOf), ...gone]);
    const olderAllLost = view.members.every((m) => m.upNumber >= self.upNumber || lostKeys.has(keyOf(m)));
    takeOver = lostKeys.has(view.leader) && olderAllLost && majority(unreachable);
  }
  return { unreachable, remove, minority, takeOver };
}
