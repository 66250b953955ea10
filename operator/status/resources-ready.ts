// The ResourcesReady condition from what the reconcile found when it applied the children. Pure: the one place that
// words it. The first that holds wins: an invalid spec, paused, conflicts, calls the API refused, the shared RBAC not
// ready yet, applied.
import { ConditionReason, ConditionType } from '../../core/api/types.ts';
import type { ConditionInput } from './conditions.ts';

export interface ChildrenState {
  /** The validation messages, when the spec is invalid (no child is touched then). */
  invalidSpec?: string;
  paused?: boolean;
  /** Objects of the children's names that are not the operator's (its own children's and the namespace's RBAC). */
  conflicts?: readonly string[];
  /** The API's answers to the calls it refused (an admission policy, a quota, validation). */
  failures?: readonly string[];
  /** Children not applied because one before them is not in place. */
  waiting?: readonly string[];
  /** The namespace's Role pod-reader and RoleBinding read-pods exist, are the operator's and bind the account. */
  sharedRbacReady?: boolean;
  /** An agent cluster: the resource's name (its ClusterMembership and Role and RoleBinding <name>-membership). */
  agentCluster?: string;
}

export function resourcesReady(s: ChildrenState): ConditionInput {
  const type = ConditionType.ResourcesReady;
  if (s.invalidSpec !== undefined) {
    return {
      type,
      status: 'False',
      reason: ConditionReason.InvalidSpec,
      message: `${s.invalidSpec}. The children are kept as they are until the spec is fixed.`,
    };
  }
  if (s.paused) {
    return {
      type,
      status: 'False',
      reason: ConditionReason.Paused,
      message: 'spec.paused is true: the children are not reconciled.',
    };
  }
  const waiting = s.waiting ?? [];
  if (s.conflicts?.length) {
    return {
      type,
      status: 'False',
      reason: ConditionReason.Conflict,
      message: [...s.conflicts, ...waiting].join('; '),
    };
  }
  if (s.failures?.length) {
    return {
      type,
      status: 'False',
      reason: ConditionReason.ApplyFailed,
      message: [...s.failures, ...waiting].join('; '),
    };
  }
  if (!s.sharedRbacReady) {
    return {
      type,
      status: 'False',
      reason: ConditionReason.Progressing,
      message: 'Waiting for Role pod-reader and RoleBinding read-pods.',
    };
  }
  return {
    type,
    status: 'True',
    reason: ConditionReason.Applied,
    message: s.agentCluster
      ? `The Deployment, ServiceAccount, Role pod-reader and RoleBinding read-pods, ClusterMembership ${s.agentCluster} ` +
        `and Role and RoleBinding ${s.agentCluster}-membership are as desired.`
      : 'The Deployment, ServiceAccount, Role pod-reader and RoleBinding read-pods are as desired.',
  };
}
