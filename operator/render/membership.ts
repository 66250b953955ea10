// What an agent cluster (`workload: agent`) needs besides pod-reader: its ClusterMembership, which the agents keep
// their members in (docs/membership.md), and a Role and RoleBinding that let the cluster's ServiceAccount read that one
// object and write its status, nothing else. The operator creates the object without a status and never writes one.
import type { V1PolicyRule, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import {
  type ClusterMembership,
  MEMBERSHIP_API_VERSION,
  MEMBERSHIP_KIND,
  MEMBERSHIP_PLURAL,
} from '../../core/api/membership.ts';
import type { Resolved } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, GROUP } from '../../core/api/types.ts';
import { childLabels, ownerRef } from './labels.ts';

const RBAC = 'rbac.authorization.k8s.io';

/** The Role and the RoleBinding of a resource's agents: `<name>-membership`. */
export const membershipRbacName = (resourceName: string) => `${resourceName}-membership`;

/**
 * The agents' rights on their record: read and watch it (the watch carries fieldSelector metadata.name=<name>, which
 * is what lets resourceNames restrict a watch), and PUT its status with the resourceVersion read. No list, create,
 * patch or delete; no other object. docs/operations.md explains each rule.
 */
export function membershipRules(name: string): V1PolicyRule[] {
  return [
    { apiGroups: [GROUP], resources: [MEMBERSHIP_PLURAL], resourceNames: [name], verbs: ['get', 'watch'] },
    { apiGroups: [GROUP], resources: [`${MEMBERSHIP_PLURAL}/status`], resourceNames: [name], verbs: ['update'] },
  ];
}

const isAgent = (r: Resolved) => r.workload === 'agent';

/** The resource's ClusterMembership, of its name: metadata only. */
export function renderClusterMembership(cb: ClusterBootstrap, r: Resolved): ClusterMembership | undefined {
  if (!isAgent(r)) return undefined;
  return {
    apiVersion: MEMBERSHIP_API_VERSION,
    kind: MEMBERSHIP_KIND,
    metadata: { name: r.name, namespace: r.namespace, labels: childLabels(r), ownerReferences: [ownerRef(cb, true)] },
  };
}

export function renderMembershipRole(cb: ClusterBootstrap, r: Resolved): V1Role | undefined {
  if (!isAgent(r)) return undefined;
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'Role',
    metadata: {
      name: membershipRbacName(r.name),
      namespace: r.namespace,
      labels: childLabels(r),
      ownerReferences: [ownerRef(cb, true)],
    },
    rules: membershipRules(r.name),
  };
}

/** Binds the Role to the account the pods run as (the one the operator made, or spec.serviceAccountName). */
export function renderMembershipRoleBinding(cb: ClusterBootstrap, r: Resolved): V1RoleBinding | undefined {
  if (!isAgent(r)) return undefined;
  const name = membershipRbacName(r.name);
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace: r.namespace, labels: childLabels(r), ownerReferences: [ownerRef(cb, true)] },
    roleRef: { apiGroup: RBAC, kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: r.serviceAccountName, namespace: r.namespace }],
  };
}
