// Whether the pods can list pods, as far as the namespace's shared Role pod-reader and RoleBinding read-pods say.
// Pure: the caller passes both objects as its cache holds them (whoever manages them). Pekko's kubernetes-api
// discovery (and the agent) list the pods with the service account's token; without this grant every lookup gets
// 403, the pods log "Forbidden when communicating with the Kubernetes API. Check RBAC settings." and never form.
// The operator cannot read the pods' logs, so this check is what lets the status point at RBAC.
import type { V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';

/**
 * The namespace's shared RBAC objects from the cache. Undefined: not in the cache, which holds only the operator's
 * (labelled) objects, so a binding of the same name that a person made reads as missing; ResourcesReady reports
 * that conflict on its own.
 */
export interface SharedRbac {
  role: V1Role | undefined;
  roleBinding: V1RoleBinding | undefined;
}

const allows = (values: string[] | undefined, want: string) => (values ?? []).some((v) => v === want || v === '*');

/**
 * Why the service account `serviceAccount` of `namespace` gets no `list pods` from pod-reader/read-pods, or
 * undefined when it does. Other grants (a ClusterRoleBinding the user made) are not seen: callers use the answer
 * only to explain a cluster that does not form.
 */
export function podListDenied(rbac: SharedRbac, serviceAccount: string, namespace: string): string | undefined {
  const { role, roleBinding: rb } = rbac;
  if (!rb) return `RoleBinding ${ROLE_BINDING_NAME} is missing`;
  if (rb.metadata?.deletionTimestamp) return `RoleBinding ${ROLE_BINDING_NAME} is being deleted`;
  if (rb.roleRef?.kind !== 'Role' || rb.roleRef.name !== ROLE_NAME) {
    return `RoleBinding ${ROLE_BINDING_NAME} refers to ${rb.roleRef?.kind} ${rb.roleRef?.name}, not Role ${ROLE_NAME}`;
  }
  const bound = (rb.subjects ?? []).some(
    (s) => s.kind === 'ServiceAccount' && s.name === serviceAccount && (s.namespace ?? namespace) === namespace,
  );
  if (!bound) return `RoleBinding ${ROLE_BINDING_NAME} does not bind ServiceAccount ${serviceAccount}`;
  if (!role) return `Role ${ROLE_NAME} is missing`;
  const listsPods = (role.rules ?? []).some(
    (r) => allows(r.apiGroups, '') && allows(r.resources, 'pods') && allows(r.verbs, 'list'),
  );
  if (!listsPods) return `Role ${ROLE_NAME} does not allow list on pods`;
  return undefined;
}

/** The status message part: the cause, what it does to the pods, and where they say so. */
export function rbacMessage(problem: string, serviceAccount: string): string {
  return (
    `RBAC: ${problem}, so ServiceAccount ${serviceAccount} cannot list pods and the nodes' Kubernetes API ` +
    `discovery gets 403 Forbidden (pod logs: "Check RBAC settings")`
  );
}
