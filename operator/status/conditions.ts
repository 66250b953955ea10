// The one helper that sets a condition: lastTransitionTime changes only when the status changes, so a person can
// read how long a condition has held. Pure: the time is an argument.
import type { V1Condition } from '@kubernetes/client-node';
import type { ConditionReason, ConditionType } from '../../core/api/types.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A condition as computed, before setCondition adds the generation and the transition time. */
export interface ConditionInput {
  type: ConditionType;
  status: ConditionStatus;
  reason: ConditionReason;
  message: string;
}

/** metav1.Time: RFC 3339 in whole seconds. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The conditions with `c` set. Others keep their place; a new type is appended. The result is a new array; the
 * input is not modified.
 */
export function setCondition(
  conditions: readonly V1Condition[] | undefined,
  c: { type: string; status: ConditionStatus; reason: string; message: string },
  observedGeneration: number | undefined,
  nowMs: number,
): V1Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: V1Condition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    lastTransitionTime: (prev && prev.status === c.status
      ? prev.lastTransitionTime
      : metaTime(nowMs)) as unknown as Date,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export function findCondition(conditions: readonly V1Condition[] | undefined, type: string): V1Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
