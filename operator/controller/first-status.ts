// A new resource's first status waits a short while for the namespace's read-pods to bind its account. The first pass
// applies the children; read-pods follows the ServiceAccount's arrival (event-keys.ts), and that change of read-pods
// brings the resource's next pass, which writes the status once, with ResourcesReady Applied, instead of Progressing
// and then Applied a few hundred milliseconds later: one status write per new resource instead of two. Bounded: past
// FIRST_STATUS_WAIT_MS after the resource's creation the status is written whatever it says, so a binding that is
// late still shows as Progressing.
import { ConditionReason } from '../../core/api/types.ts';
import type { ConditionInput } from '../status/conditions.ts';

export const FIRST_STATUS_WAIT_MS = 2000;

export interface FirstStatusInput {
  /** The status as last written (undefined: the resource has none yet). */
  hasStatus: boolean;
  resourcesReady: ConditionInput;
  /** metadata.creationTimestamp (a Date from the client, or its text). */
  createdAt: Date | string | undefined;
  nowMs: number;
}

/** How long to hold the first status write back (0: write it now). */
export function firstStatusWaitMs(i: FirstStatusInput): number {
  if (i.hasStatus || i.resourcesReady.reason !== ConditionReason.Progressing || i.createdAt === undefined) return 0;
  const created = new Date(i.createdAt).getTime();
  if (Number.isNaN(created)) return 0;
  const left = created + FIRST_STATUS_WAIT_MS - i.nowMs;
  // creationTimestamp has whole seconds: a resource looks up to a second older than it is, never younger.
  return left > 0 ? Math.min(left, FIRST_STATUS_WAIT_MS) : 0;
}
