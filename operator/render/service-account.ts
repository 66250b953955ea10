// The ServiceAccount the pods run as, unless the user named an existing one.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { childLabels, ownerRef } from './labels.ts';

export function renderServiceAccount(cb: ClusterBootstrap, r: Resolved): V1ServiceAccount | undefined {
  if (!r.createServiceAccount) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: r.serviceAccountName,
      namespace: r.namespace,
      labels: childLabels(r),
      ownerReferences: [ownerRef(cb, true)],
    },
  };
}
