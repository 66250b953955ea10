// Which objects are this operator's, and which ClusterBootstraps an event on a child concerns.
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import { FIELD_MANAGER, GROUP, KIND } from '../../core/api/types.ts';
import { objectKey } from '../kernel/key.ts';
import { INSTANCE_LABEL, MANAGED_BY_LABEL } from '../render/index.ts';

export function isClusterBootstrapRef(ref: V1OwnerReference): boolean {
  return ref.kind === KIND && (ref.apiVersion ?? '').startsWith(`${GROUP}/`);
}

function hasManagedLabel(o: KubernetesObject): boolean {
  return o.metadata?.labels?.[MANAGED_BY_LABEL] === FIELD_MANAGER;
}

/**
 * A child that belongs to one resource (its Deployment, its ServiceAccount) is ours when it has our managed-by label
 * and a controller reference to a ClusterBootstrap of that name (the uid may be an older incarnation's: applying
 * replaces it).
 */
export function isManagedChild(o: KubernetesObject, cbName: string): boolean {
  return (
    hasManagedLabel(o) &&
    (o.metadata?.ownerReferences ?? []).some((r) => isClusterBootstrapRef(r) && r.name === cbName && r.controller)
  );
}

/** The shared Role and RoleBinding are ours when they have our label and at least one ClusterBootstrap owner. */
export function isManagedShared(o: KubernetesObject): boolean {
  return hasManagedLabel(o) && (o.metadata?.ownerReferences ?? []).some(isClusterBootstrapRef);
}

/**
 * The ClusterBootstrap keys ("namespace/name") an event on a child concerns: its ClusterBootstrap owners, or for a
 * pod (owned by a ReplicaSet) the instance label the renderer puts on the pod template.
 */
export function ownerKeys(o: KubernetesObject): string[] {
  const ns = o.metadata?.namespace ?? '';
  const names = new Set<string>();
  for (const r of o.metadata?.ownerReferences ?? []) if (isClusterBootstrapRef(r)) names.add(r.name);
  if (names.size === 0 && hasManagedLabel(o)) {
    const instance = o.metadata?.labels?.[INSTANCE_LABEL];
    if (instance) names.add(instance);
  }
  return [...names].map((n) => objectKey(ns, n));
}
