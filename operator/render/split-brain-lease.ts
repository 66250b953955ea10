// lease-majority's Kubernetes side: the coordination.k8s.io Lease the pods' split brain resolver takes, and a Role and
// RoleBinding that let exactly the pods' ServiceAccount get and update exactly that Lease. Pure.
//
// Why get and update only: Pekko's NativeKubernetesLease (pekko-lease-kubernetes 1.1) reads the Lease (GET), creates
// it when it is missing (POST), and takes, renews and releases it with a PUT that carries the resourceVersion it read.
// RBAC cannot limit `create` to a name (the name is not known when a create is authorised), so granting it would let
// the pods create any Lease in the namespace. The operator creates the Lease first instead; a PUT that would create
// a deleted Lease is authorised as `create` too, so the pods can never bring back a Lease deleted by hand: the
// operator does (operator/controller/split-brain-lease.ts).
import type { V1Lease, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { childLabels, ownerRef } from './labels.ts';

/** The Role's and RoleBinding's name. */
export const leaseRbacName = (r: Resolved) => `${r.name}-sbr-lease`;

/**
 * The Lease as Pekko itself would create it (holderIdentity "" and an acquireTime: Pekko's JSON reader needs both),
 * plus the operator's labels and owner reference. Pekko's first write replaces the whole object, labels and owner
 * reference included: from then on only its uid (kept in status) says it is the operator's.
 */
export function renderLease(cb: ClusterBootstrap, r: Resolved, nowMs: number): V1Lease | undefined {
  const lease = r.splitBrainResolver?.lease;
  if (!lease) return undefined;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: lease.name,
      namespace: r.namespace,
      labels: childLabels(r),
      ownerReferences: [ownerRef(cb, true)],
    },
    // MicroTime: the API server wants exactly six fraction digits, and writes them back so.
    spec: { holderIdentity: '', acquireTime: new Date(nowMs).toISOString().replace(/Z$/, '000Z') as unknown as Date },
  };
}

export function renderLeaseRole(cb: ClusterBootstrap, r: Resolved): V1Role | undefined {
  const lease = r.splitBrainResolver?.lease;
  if (!lease) return undefined;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: {
      name: leaseRbacName(r),
      namespace: r.namespace,
      labels: childLabels(r),
      ownerReferences: [ownerRef(cb, true)],
    },
    rules: [
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: [lease.name],
        verbs: ['get', 'update'],
      },
    ],
  };
}

export function renderLeaseRoleBinding(cb: ClusterBootstrap, r: Resolved): V1RoleBinding | undefined {
  if (!r.splitBrainResolver?.lease) return undefined;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: {
      name: leaseRbacName(r),
      namespace: r.namespace,
      labels: childLabels(r),
      ownerReferences: [ownerRef(cb, true)],
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRbacName(r) },
    subjects: [{ kind: 'ServiceAccount', name: r.serviceAccountName, namespace: r.namespace }],
  };
}
