// Labels and owner references every child carries.
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import { API_VERSION, type ClusterBootstrap, FIELD_MANAGER, KIND } from '../../core/api/types.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** Labels on the Deployment, its pods and the ServiceAccount. `app` and `actorSystemName` are the seed's. */
export function childLabels(r: Resolved): Record<string, string> {
  return {
    app: r.serviceName,
    actorSystemName: r.actorSystemName,
    'app.kubernetes.io/name': r.serviceName,
    [INSTANCE_LABEL]: r.name,
    [MANAGED_BY_LABEL]: FIELD_MANAGER,
  };
}

/**
 * The Deployment's selector. It is immutable once created, so it holds only what never changes for a resource:
 * its name (instance) and the seed's `app` label.
 */
export function selectorLabels(r: Resolved): Record<string, string> {
  return { app: r.serviceName, [INSTANCE_LABEL]: r.name };
}

/** The selector in string form, for status.selector (the scale subresource and HPAs read it). */
export function selectorString(r: Resolved): string {
  return Object.entries(selectorLabels(r))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Labels on the namespace-wide Role and RoleBinding, which belong to no single resource. */
export function sharedLabels(): Record<string, string> {
  return { [MANAGED_BY_LABEL]: FIELD_MANAGER, [PART_OF_LABEL]: 'pekko-bootstrap-operator' };
}

/**
 * An owner reference to a ClusterBootstrap. `controller` is true for the children it alone owns; the shared Role and
 * RoleBinding are owned by every resource of the namespace, none of them as controller, so the garbage collector
 * removes them when the last owner goes.
 */
export function ownerRef(cb: ClusterBootstrap, controller: boolean): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: cb.metadata.name ?? '',
    uid: cb.metadata.uid ?? '',
    controller,
  };
}
