// Whether the pods can list pods, as far as the namespace's shared Role pod-reader and RoleBinding read-pods say.
// Pure: the caller passes both objects as its cache holds them (whoever manages them). Pekko's kubernetes-api
// discovery (and the agent) list the pods with the service account's token; without this grant every lookup gets
// 403, the pods log "Forbidden when communicating with the Kubernetes API. Check RBAC settings." and never form.
// Whether the account may list pods is asked of the API server (pod-list-access.ts); what these objects lack says
// why in the message, and stands in for the answer only when the operator cannot ask.
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

/** The ServiceAccounts of `namespace` a RoleBinding names (a subject without a namespace is the binding's own). */
export function boundAccounts(rb: V1RoleBinding | undefined, namespace: string): Set<string> {
  return new Set(
    (rb?.subjects ?? [])
      .filter((s) => s.kind === 'ServiceAccount' && (s.namespace ?? namespace) === namespace)
      .map((s) => s.name),
  );
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
  if (!boundAccounts(rb, namespace).has(serviceAccount))
    return `RoleBinding ${ROLE_BINDING_NAME} does not bind ServiceAccount ${serviceAccount}`;
  if (!role) return `Role ${ROLE_NAME} is missing`;
  const listsPods = (role.rules ?? []).some(
    (r) => allows(r.apiGroups, '') && allows(r.resources, 'pods') && allows(r.verbs, 'list'),
  );
  if (!listsPods) return `Role ${ROLE_NAME} does not allow list on pods`;
  return undefined;
}

/**
 * The status message part when the pods' account may not list pods (a SubjectAccessReview said so, or, when the
 * operator cannot ask, the cache suggests it): the cause, what it does to the pods, where they say so, and the fix.
 * `problem` is what the namespace's pod-reader/read-pods lack for the account (podListDenied), when they explain it.
 */
export function rbacMessage(problem: string | undefined, serviceAccount: string, namespace: string): string {
  const cause = problem ?? `no Role or ClusterRole bound to ServiceAccount ${serviceAccount} allows list on pods`;
  return (
    `RBAC: ${cause}, so ServiceAccount ${serviceAccount} cannot list pods in namespace ${namespace} and the nodes' ` +
    `Kubernetes API discovery gets 403 Forbidden (pod logs: "Check RBAC settings"); the operator grants it with ` +
    `Role ${ROLE_NAME} and RoleBinding ${ROLE_BINDING_NAME} in ${namespace}: remove a Role or RoleBinding of those ` +
    `names that it does not manage (ResourcesReady says Conflict) and unpause the resource, or bind the account ` +
    `yourself; check with kubectl auth can-i list pods -n ${namespace} ` +
    `--as=system:serviceaccount:${namespace}:${serviceAccount}`
  );
}
