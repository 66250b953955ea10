// Which Events one apply pass deserves, as a pure function of what it did to the children: one Event per kind of
// change ("Created Deployment demo, ServiceAccount demo"), and a Warning per conflict. Unchanged children make none.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import type { EnsureOutcome } from './apply.ts';
import { type EventInput, EventReason } from './event-recorder.ts';

const NOTES: Record<'created' | 'updated' | 'repaired', { reason: string; prefix: string; suffix: string }> = {
  created: { reason: EventReason.Created, prefix: 'Created', suffix: '' },
  updated: { reason: EventReason.Updated, prefix: 'Updated', suffix: '' },
  repaired: { reason: EventReason.Repaired, prefix: 'Repaired', suffix: ': changed or removed outside the operator' },
};

export function applyEvents(
  regarding: ClusterBootstrap,
  outcomes: readonly (readonly [KubernetesObject, EnsureOutcome])[],
): EventInput[] {
  const events: EventInput[] = [];
  for (const action of ['created', 'updated', 'repaired'] as const) {
    const what = outcomes.filter(([, o]) => o.action === action).map(([obj]) => `${obj.kind} ${obj.metadata?.name}`);
    if (what.length === 0) continue;
    const n = NOTES[action];
    events.push({
      regarding,
      type: 'Normal',
      reason: n.reason,
      action: 'Apply',
      note: `${n.prefix} ${what.join(', ')}${n.suffix}`,
    });
  }
  for (const [, o] of outcomes) {
    if (o.action === 'conflict') {
      events.push({ regarding, type: 'Warning', reason: EventReason.Conflict, action: 'Apply', note: o.message });
    }
  }
  return events;
}
