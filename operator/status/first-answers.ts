// Right after the operator starts (a restart, a new leader) it knows nothing of the pods until their first probes
// answer, a second or so later. Computed from no answers at all, a Formed cluster would read as Forming ("no node
// reports a cluster yet"), and every cluster's status would flap Formed → Forming → Formed on each operator rollout,
// with Ready False in between. Until then the observed phase, message, seed, members and the ClusterFormed and Ready
// conditions stay as the status has them; and a contact point keeps the node address the status gives it (same pod,
// same host) until its own pod answers (docs/status.md, "Probing"). Pure.
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { ConditionType } from '../../core/api/types.ts';
import type { Observation, PodView } from './compute.ts';
import type { ConditionInput } from './conditions.ts';

/** Whether nothing is known yet: no pod has answered, and a Ready pod has not been asked even once. */
export function awaitingFirstAnswers(views: readonly PodView[]): boolean {
  if (views.some((v) => v.answer)) return false;
  return views.some((v) => v.contactPoint.ready && v.error === undefined);
}

/** The observation to report: the stored one while a formed cluster's first answers are awaited, else `computed`. */
export function holdUntilAnswered(
  previous: ClusterBootstrapStatus | undefined,
  computed: Observation,
  views: readonly PodView[],
): Observation {
  const formed = previous?.phase === 'Formed' || previous?.phase === 'Degraded';
  if (!formed || !previous.seedNode || !awaitingFirstAnswers(views)) return computed;
  const kept = (c: ConditionInput): ConditionInput => {
    if (c.type !== ConditionType.ClusterFormed && c.type !== ConditionType.Ready) return c;
    const stored = previous.conditions?.find((p) => p.type === c.type);
    return stored
      ? ({ ...c, status: stored.status, reason: stored.reason, message: stored.message } as ConditionInput)
      : c;
  };
  return {
    ...computed,
    phase: previous.phase as Observation['phase'],
    message: previous.message ?? computed.message,
    seedNode: previous.seedNode,
    ...(previous.members !== undefined ? { members: previous.members } : {}),
    conditions: computed.conditions.map(kept),
  };
}

/** The contact points with the node address the stored status gives a pod (same name and host) not answered yet. */
export function withKnownNodes(previous: ClusterBootstrapStatus | undefined, computed: Observation): Observation {
  const known = new Map((previous?.contactPoints ?? []).map((c) => [`${c.pod}/${c.host}`, c.node]));
  const fill = <T extends { pod: string; host: string; node?: string }>(c: T): T => {
    const node = c.node ?? known.get(`${c.pod}/${c.host}`);
    return node === undefined || node === c.node ? c : { ...c, node };
  };
  if (known.size === 0 || computed.contactPoints.every((c) => c.node !== undefined)) return computed;
  return { ...computed, contactPoints: computed.contactPoints.map(fill) };
}
