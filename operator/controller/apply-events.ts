// Which Events one apply pass deserves, as a pure function of what it did to the children: one Event per kind of
// change ("Created ServiceAccount demo, Deployment demo"), a Warning per conflict and per call the API refused.
// Unchanged children and children waiting for another make none.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import type { ChildOutcome } from './children.ts';
import { type EventInput, EventReason } from './event-recorder.ts';

type Change = 'created' | 'updated' | 'repaired' | 'deleted';

const NOTES: Record<Change, { reason: string; prefix: string; suffix: string }> = {
  created: { reason: EventReason.Created, prefix: 'Created', suffix: '' },
  updated: { reason: EventReason.Updated, prefix: 'Updated', suffix: '' },
  repaired: { reason: EventReason.Repaired, prefix: 'Repaired', suffix: ': changed or removed outside the operator' },
  deleted: { reason: EventReason.Deleted, prefix: 'Deleted', suffix: ': no longer used by this ClusterBootstrap' },
};

export function applyEvents(
  regarding: ClusterBootstrap,
  outcomes: readonly (readonly [KubernetesObject, ChildOutcome])[],
): EventInput[] {
  const events: EventInput[] = [];
  for (const action of ['created', 'updated', 'repaired', 'deleted'] as const) {
    const what = outcomes.filter(([, o]) => o.action === action).map(([obj]) => `${obj.kind} ${obj.metadata?.name}`);
    if (what.length === 0) continue;
    const n = NOTES[action];
    events.push({
      regarding,
      type: 'Normal',
      reason: n.reason,
      action: action === 'deleted' ? 'Delete' : 'Apply',
      note: `${n.prefix} ${what.join(', ')}${n.suffix}`,
    });
  }
  for (const [, o] of outcomes) {
    if (o.action === 'conflict') {
      events.push({ regarding, type: 'Warning', reason: EventReason.Conflict, action: 'Apply', note: o.message });
    } else if (o.action === 'failed') {
      events.push({ regarding, type: 'Warning', reason: EventReason.ApplyFailed, action: 'Apply', note: o.message });
    }
  }
  return events;
}
