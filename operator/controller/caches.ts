// The read side of reconcile: the informer caches, by kind. Reconcile reads current state only from here (never
// from the event that enqueued the key), and writes only through the KubeClient port.
import type { V1Deployment, V1Pod, V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import type { ClusterBootstrap } from '../../core/api/types.ts';

export interface Cache<T> {
  get(name: string, namespace: string): T | undefined;
  list(namespace: string): ReadonlyArray<T>;
}

export interface Caches {
  clusterBootstraps: Cache<ClusterBootstrap>;
  deployments: Cache<V1Deployment>;
  serviceAccounts: Cache<V1ServiceAccount>;
  roles: Cache<V1Role>;
  roleBindings: Cache<V1RoleBinding>;
  pods: Cache<V1Pod>;
}
