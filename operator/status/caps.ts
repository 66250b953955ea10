// Bounds on what goes into status. Node addresses, member lists and error text come from the pods' answers, and a
// misbehaving pod may answer anything up to the probe's body limit; a message listing every unreachable member of a
// large or hostile answer could push the resource past etcd's object size limit (1.5 MiB by default), and a status
// write that fails stops status altogether. docs/status.md lists the caps.
import type { ObservedStatus } from '../../core/api/types.ts';
import type { ConditionInput } from './conditions.ts';

/** The longest status message or condition message, in characters. */
export const MAX_MESSAGE_CHARS = 1024;
/** The most names (pods, members, resources) a message lists, and the longest each may be; the rest are counted. */
export const MAX_LISTED = 5;
export const MAX_LISTED_CHARS = 128;
/** The most contact points status lists (sorted by pod name); readyContactPoints still counts them all. */
export const MAX_CONTACT_POINTS = 200;
/** The longest node address status holds (a Pekko address is far shorter). */
export const MAX_ADDRESS_CHARS = 256;

/** The text, cut at `max` characters with an ellipsis. */
export function capText(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "a, b, c" or "a, b, c and 7 more"; each item capped too. */
export function listed(items: readonly string[], max = MAX_LISTED): string {
  const shown = items.slice(0, max).map((s) => capText(s, MAX_LISTED_CHARS));
  return items.length > max ? `${shown.join(', ')} and ${items.length - max} more` : shown.join(', ');
}

/** The observed status and its conditions within the caps. */
export function capped<T extends ObservedStatus & { conditions: ConditionInput[] }>(o: T): T {
  const contactPoints = o.contactPoints.slice(0, MAX_CONTACT_POINTS).map((c) => {
    if (c.node === undefined || c.node.length <= MAX_ADDRESS_CHARS) return c;
    return { ...c, node: capText(c.node, MAX_ADDRESS_CHARS) };
  });
  return {
    ...o,
    message: capText(o.message),
    contactPoints,
    ...(o.seedNode !== undefined ? { seedNode: capText(o.seedNode, MAX_ADDRESS_CHARS) } : {}),
    conditions: o.conditions.map((c) => ({ ...c, message: capText(c.message) })),
  };
}
