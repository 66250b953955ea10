// The key of a namespaced object in the work queues and in logs: "namespace/name", as client-go's
// MetaNamespaceKeyFunc makes it. The one place that builds or splits such a key.
import type { KubernetesObject } from '@kubernetes/client-node';

export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function keyOf(o: KubernetesObject): string {
  return objectKey(o.metadata?.namespace ?? '', o.metadata?.name ?? '');
}

/** Splits "namespace/name" (a cluster-scoped key has no slash). */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
