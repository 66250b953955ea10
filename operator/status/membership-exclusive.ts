// The MembershipExclusive condition of an agent cluster: whether its agents alone can write its ClusterMembership.
// Role <name>-membership is bound to the ServiceAccount the pods run as; when two agent clusters of a namespace run
// as one account (spec.serviceAccountName), each one's agents hold the other's rights too. Kubernetes cannot tell
// two pods of one account apart, so the operator can only say so: on the resource created later, as for a shared
// serviceName. Pure.
import type { Resolved } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, ConditionReason, ConditionType } from '../../core/api/types.ts';
import type { ConditionInput } from './conditions.ts';
import { createdBefore } from './discovery.ts';

/** Undefined for `workload: pekko`: the condition is not set (and a stale one is removed). */
export function membershipExclusive(r: Resolved, resources: readonly ClusterBootstrap[]): ConditionInput | undefined {
  if (r.workload !== 'agent') return undefined;
  const type = ConditionType.MembershipExclusive;
  const first = createdBefore(
    r,
    resources,
    (o) => o.workload === 'agent' && o.namespace === r.namespace && o.serviceAccountName === r.serviceAccountName,
  );
  if (first) {
    return {
      type,
      status: 'False',
      reason: ConditionReason.ServiceAccountShared,
      message:
        `the pods run as ServiceAccount ${r.serviceAccountName}, as those of ClusterBootstrap ` +
        `${first.metadata.name} (workload agent, created first): the agents of each can write the other's ` +
        'ClusterMembership. Give each agent cluster its own account: leave spec.serviceAccountName unset (the ' +
        'operator makes one per resource) or name another',
    };
  }
  return {
    type,
    status: 'True',
    reason: ConditionReason.OwnServiceAccount,
    message: `no other agent cluster of the namespace runs as ServiceAccount ${r.serviceAccountName}`,
  };
}
