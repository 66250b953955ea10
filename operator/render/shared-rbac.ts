// The namespace-wide Role pod-reader and RoleBinding read-pods, computed from the resources they serve.
import type { KubernetesObject, RbacV1Subject, V1PolicyRule, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { type ClusterBootstrap, GROUP, ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';
import { ownerRef, sharedLabels } from './labels.ts';

/**
 * On the RoleBinding: which account it binds for which resource, as JSON `{"<resource name>":"<account>"}`. The
 * binding is the memory of a frozen resource's account (operator/controller/rbac-members.ts): it survives a restart
 * of the operator, and only the operator writes it.
 */
export const SUBJECTS_ANNOTATION = `${GROUP}/subjects`;

/** The accounts a binding's SUBJECTS_ANNOTATION remembers, by resource name; empty when absent or unreadable. */
export function rememberedAccounts(binding: KubernetesObject | undefined): Map<string, string> {
  try {
    const parsed = JSON.parse(binding?.metadata?.annotations?.[SUBJECTS_ANNOTATION] ?? '{}') as unknown;
    if (!parsed || typeof parsed !== 'object') return new Map();
    return new Map(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
    );
  } catch {
    return new Map(); // edited by hand into something else
  }
}

/** What pod-reader grants: the seed's rule, what Pekko's kubernetes-api discovery needs. */
export const POD_READER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] },
];

/** A resource the shared objects serve, and the ServiceAccount of its pods that read-pods binds. */
export interface Member {
  cb: ClusterBootstrap;
  account: string;
}

/**
 * pod-reader and read-pods for one namespace: the seed's rule (get, watch, list on pods), bound to the account of
 * every member, each subject with the namespace written in. Owned by every member, so they go with the last one.
 * Undefined when the namespace has no member. Output is sorted, so the same set gives the same objects.
 */
export function renderSharedRbac(
  namespace: string,
  members: Member[],
): { role: V1Role; roleBinding: V1RoleBinding } | undefined {
  if (members.length === 0) return undefined;
  const sorted = [...members].sort((a, b) => (a.cb.metadata.name ?? '').localeCompare(b.cb.metadata.name ?? ''));
  const ownerReferences = sorted.map((m) => ownerRef(m.cb, false));
  const names = [...new Set(sorted.map((m) => m.account))].sort();
  const subjects: RbacV1Subject[] = names.map((name) => ({ kind: 'ServiceAccount', name, namespace }));
  const metadata = (name: string) => ({ name, namespace, labels: sharedLabels(), ownerReferences });
  const accounts = Object.fromEntries(sorted.map((m) => [m.cb.metadata.name ?? '', m.account]));
  return {
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(ROLE_NAME),
      rules: structuredClone([...POD_READER_RULES]),
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { ...metadata(ROLE_BINDING_NAME), annotations: { [SUBJECTS_ANNOTATION]: JSON.stringify(accounts) } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ROLE_NAME },
      subjects,
    },
  };
}
