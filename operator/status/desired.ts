// The whole status the reconcile writes, put together from its parts: the ResourcesReady condition, the observation
// of the pods (observer.ts), the Deployment's replica counts, and what the resolved spec fixes (selector,
// requiredContactPoints). Pure: the time is an argument.
import type { V1Deployment } from '@kubernetes/client-node';
import type { SplitBrainResolverStatus } from '../../core/api/split-brain.ts';
import {
  type ClusterBootstrapStatus,
  ConditionType,
  type FormationStatus,
  OBSERVED_FIELDS,
  type ObservedStatus,
  type PodTemplateRevision,
  type ScaleDownStatus,
} from '../../core/api/types.ts';
import { type ConditionInput, setCondition } from './conditions.ts';

export interface StatusInput {
  /** The status as last written. */
  previous: ClusterBootstrapStatus | undefined;
  generation: number | undefined;
  nowMs: number;
  resourcesReady: ConditionInput;
  /** Undefined when the spec is invalid: the stored value is kept. */
  requiredContactPoints?: number;
  /** Undefined when the spec is invalid: the stored value is kept. */
  selector?: string;
  deployment?: V1Deployment;
  /** Undefined when there was no observation (invalid spec): the stored observed fields are kept. */
  observed?: { status: ObservedStatus; conditions: readonly ConditionInput[] };
  /**
   * The split brain resolver's part (operator/controller/split-brain-lease.ts). Undefined when there was no
   * observation (invalid spec): the stored field and LeaseReady are kept. A field or condition it leaves out goes.
   */
  splitBrain?: { status?: SplitBrainResolverStatus; condition?: ConditionInput };
  /**
   * operator/lifecycle's part: the pod template revision, the scale-down in progress (absent: none), the formation
   * record (absent: the cluster never formed) and the DeletionCostApplied condition. Undefined (invalid spec): the
   * stored values are kept.
   */
  lifecycle?: {
    podTemplate?: PodTemplateRevision;
    scaleDown?: ScaleDownStatus;
    formation?: FormationStatus;
    conditions: readonly ConditionInput[];
  };
  /** Agent clusters' MembershipExclusive; null: not an agent cluster (removed); undefined: kept as stored. */
  membershipExclusive?: ConditionInput | null;
}

export function desiredStatus(i: StatusInput): ClusterBootstrapStatus {
  const prev = i.previous ?? {};
  const out: ClusterBootstrapStatus = {};
  if (i.generation !== undefined) out.observedGeneration = i.generation;
  const observed: Partial<ObservedStatus> = i.observed?.status ?? prev;
  for (const f of OBSERVED_FIELDS) {
    if (observed[f] !== undefined) (out as Record<string, unknown>)[f] = observed[f];
  }
  out.replicas = i.deployment?.status?.replicas ?? 0;
  out.readyReplicas = i.deployment?.status?.readyReplicas ?? 0;
  const selector = i.selector ?? prev.selector;
  if (selector !== undefined) out.selector = selector;
  const required = i.requiredContactPoints ?? prev.requiredContactPoints;
  if (required !== undefined) out.requiredContactPoints = required;
  const podTemplate = i.lifecycle ? i.lifecycle.podTemplate : prev.podTemplate;
  if (podTemplate !== undefined) out.podTemplate = podTemplate;
  const scaleDown = i.lifecycle ? i.lifecycle.scaleDown : prev.scaleDown;
  if (scaleDown !== undefined) out.scaleDown = scaleDown;
  const formation = i.lifecycle ? i.lifecycle.formation : prev.formation;
  if (formation !== undefined) out.formation = formation;
  let conditions = setCondition(prev.conditions, i.resourcesReady, i.generation, i.nowMs);
  for (const c of i.observed?.conditions ?? []) {
    if (c.type !== ConditionType.ResourcesReady) conditions = setCondition(conditions, c, i.generation, i.nowMs);
  }
  // Without an observation (an invalid spec) the stored phase and its conditions stay, each with the generation it
  // was computed for; Ready, the summary, says for this generation what ResourcesReady says.
  if (!i.observed && i.resourcesReady.status !== 'True') {
    conditions = setCondition(conditions, { ...i.resourcesReady, type: ConditionType.Ready }, i.generation, i.nowMs);
  }
  for (const c of i.lifecycle?.conditions ?? []) conditions = setCondition(conditions, c, i.generation, i.nowMs);
  if (i.splitBrain) {
    if (i.splitBrain.status) out.splitBrainResolver = i.splitBrain.status;
    conditions = i.splitBrain.condition
      ? setCondition(conditions, i.splitBrain.condition, i.generation, i.nowMs)
      : conditions.filter((c) => c.type !== ConditionType.LeaseReady);
  } else if (prev.splitBrainResolver) {
    out.splitBrainResolver = prev.splitBrainResolver;
  }
  if (i.membershipExclusive) {
    conditions = setCondition(conditions, i.membershipExclusive, i.generation, i.nowMs);
  } else if (i.membershipExclusive === null) {
    conditions = conditions.filter((c) => c.type !== ConditionType.MembershipExclusive);
  }
  out.conditions = conditions;
  return out;
}
