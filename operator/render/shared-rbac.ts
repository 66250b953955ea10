// The namespace-wide Role pod-reader and RoleBinding read-pods, computed from every ClusterBootstrap of the namespace.
import type { RbacV1Subject, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';
import { ownerRef, sharedLabels } from './labels.ts';

export interface Member {
  cb: ClusterBootstrap;
  r: Resolved;
}

/**
 * pod-reader and read-pods for one namespace: the seed's rule (get, watch, list on pods), bound to the service
 * account of every member, each subject with the namespace written in. Owned by every member, so they go with the
 * last one. Undefined when the namespace has no member. Output is sorted, so the same set gives the same objects.
 */
export function renderSharedRbac(
  namespace: string,
  members: Member[],
): { role: V1Role; roleBinding: V1RoleBinding } | undefined {
  if (members.length === 0) return undefined;
  const sorted = [...members].sort((a, b) => a.r.name.localeCompare(b.r.name));
  const ownerReferences = sorted.map((m) => ownerRef(m.cb, false));
  const names = [...new Set(sorted.map((m) => m.r.serviceAccountName))].sort();
  const subjects: RbacV1Subject[] = names.map((name) => ({ kind: 'ServiceAccount', name, namespace }));
  const metadata = (name: string) => ({ name, namespace, labels: sharedLabels(), ownerReferences });
  return {
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(ROLE_NAME),
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] }],
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(ROLE_BINDING_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ROLE_NAME },
      subjects,
    },
  };
}
