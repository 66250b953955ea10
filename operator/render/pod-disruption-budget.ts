// The PodDisruptionBudget: at most one member of the cluster disrupted at a time (a node drain, an eviction), so that
// a drain never takes two members at once while one is still leaving. Rolling updates and scale-downs do not go
// through evictions and are not limited by it. Off with spec.lifecycle.podDisruptionBudget: false.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { childLabels, ownerRef, selectorLabels } from './labels.ts';

export function renderPodDisruptionBudget(cb: ClusterBootstrap, r: Resolved): V1PodDisruptionBudget | undefined {
  if (!r.lifecycle.podDisruptionBudget) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: r.name, namespace: r.namespace, labels: childLabels(r), ownerReferences: [ownerRef(cb, true)] },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(r) } },
  };
}
