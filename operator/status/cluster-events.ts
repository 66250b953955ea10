// Which Events a status change deserves, as a pure function of the previous status and the new observation:
// Formed (naming the seed), SplitDetected, MembersUnreachable, MemberLost, Recovered. The reconcile records them; a
// resync that changes nothing emits nothing.
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import type { Observation } from './compute.ts';

export interface ClusterEvent {
  type: 'Normal' | 'Warning';
  reason: 'Formed' | 'SplitDetected' | 'MembersUnreachable' | 'MemberLost' | 'Recovered';
  note: string;
}

/** `desiredReplicas`: spec.replicas; members going down with it (a scale-down) is no loss. */
export function clusterEvents(
  before: ClusterBootstrapStatus | undefined,
  after: Observation,
  desiredReplicas = Number.POSITIVE_INFINITY,
): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const was = before?.phase;
  const split = after.clusters.length > 1;
  if (after.phase === 'Formed' && was !== 'Formed') {
    if (was === 'Degraded') {
      events.push({ type: 'Normal', reason: 'Recovered', note: `one cluster again, formed around ${after.seedNode}` });
    } else {
      events.push({
        type: 'Normal',
        reason: 'Formed',
        note: `cluster formed around ${after.seedNode} with ${after.members} Up member${after.members === 1 ? '' : 's'}`,
      });
    }
  }
  if (after.phase === 'Degraded' && (was !== 'Degraded' || before?.message !== after.message)) {
    events.push({ type: 'Warning', reason: split ? 'SplitDetected' : 'MembersUnreachable', note: after.message });
  }
  const lost = before?.members !== undefined && after.members !== undefined && after.members < before.members;
  if (lost && !split && after.members !== undefined && after.members < desiredReplicas) {
    events.push({
      type: 'Warning',
      reason: 'MemberLost',
      note: `Up members went from ${before.members} to ${after.members} (seed ${after.seedNode})`,
    });
  }
  return events;
}
