// The kinds the operator watches, one row each: what its informers list and watch, which queue keys an event on it
// becomes, and for a child, how it is rendered and applied. The informers (operator/informers.ts), the reconcilers'
// caches and the unit tests' fake API (operator/kube/fake.ts) are all built from this table.
//
// Adding a child: a render function in operator/render/, a row here, and its verbs in the chart's ClusterRole.
// A CRD-backed child (ClusterMembership) also needs its CRD installed before the operator starts: its informer lists
// it.
import type {
  KubernetesObject,
  V1Deployment,
  V1Pod,
  V1PodDisruptionBudget,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import {
  type ClusterMembership,
  MEMBERSHIP_API_VERSION,
  MEMBERSHIP_KIND,
  MEMBERSHIP_PLURAL,
} from '../../core/api/membership.ts';
import type { Resolved } from '../../core/api/resolve.ts';
import { API_VERSION, type ClusterBootstrap, KIND, PLURAL } from '../../core/api/types.ts';
import type { ResourceRef } from '../kernel/list-watch.ts';
import { renderDeployment } from '../render/deployment.ts';
import { renderClusterMembership, renderMembershipRole, renderMembershipRoleBinding } from '../render/membership.ts';
import { renderPodDisruptionBudget } from '../render/pod-disruption-budget.ts';
import { renderServiceAccount } from '../render/service-account.ts';
import { renderLeaseRole, renderLeaseRoleBinding } from '../render/split-brain-lease.ts';
import { trimPod } from './cached-pod.ts';
import { covers } from './covers.ts';

export interface WatchedKind<T extends KubernetesObject> extends ResourceRef {
  /**
   * `resource`: the ClusterBootstraps, every one, replayed at each resync; an event enqueues the resource.
   * `owned`: one resource's children and its pods, only the operator's (labelled); an event enqueues the owner.
   * `shared`: the namespace-wide Role and RoleBinding (labelled); an event enqueues their owners and the namespace's
   * RBAC reconcile. A shared kind may also render a child one resource owns alone (an agent cluster's
   * `<name>-membership` Role and RoleBinding): the namespace reconcile only touches its own names.
   */
  role: 'resource' | 'owned' | 'shared';
  /** For a child one resource owns alone: the desired object (undefined: this resource has none of the kind). */
  render?(cb: ClusterBootstrap, r: Resolved): T | undefined;
  /**
   * The kinds of the resource's children that must be in place (applied or already as desired) before a child of this
   * kind is applied; each comes earlier in the table. Children that need nothing still pending are applied together
   * (controller/children.ts).
   */
  needs?: readonly string[];
  /**
   * When the API server rejects an apply as invalid (422) and this holds (an immutable field changed), the child is
   * deleted; the next pass creates it as desired.
   */
  recreateWhen?(live: T, desired: T): boolean;
  /** What a person can do when an object of the child's name is not the operator's (the condition says it). */
  conflictHint?(name: string): string;
  /**
   * A child of this kind that the resource no longer renders is deleted once this holds (default: at once).
   * `pods`: the namespace's pods of every resource, from the cache.
   */
  removableWhen?(live: T, pods: readonly V1Pod[]): boolean;
  /**
   * An account read-pods may bind: when one of the operator's objects of this kind comes or goes, the namespace's
   * RBAC reconcile looks at once (event-keys.ts).
   */
  bindsAccount?: boolean;
  /** Drops, in place, what the operator never reads of a cached object of this kind (managedFields go always). */
  trim?(obj: T): void;
}

const row = <T extends KubernetesObject>(k: WatchedKind<T>): WatchedKind<T> => k;
const RBAC = 'rbac.authorization.k8s.io/v1';

/**
 * Keyed by kind. The order of the children here is the order they are rendered and reported in. Each is applied once
 * the kinds it `needs` are in place (controller/children.ts): a RoleBinding binds only the operator's own
 * ServiceAccount to the operator's own Role, and the Deployment comes last, so that the ServiceAccount, and for an
 * agent cluster its ClusterMembership and the rights on it, exist before its ReplicaSet creates pods.
 */
export const WATCHED = {
  ClusterBootstrap: row<ClusterBootstrap>({ apiVersion: API_VERSION, kind: KIND, plural: PLURAL, role: 'resource' }),
  ServiceAccount: row<V1ServiceAccount>({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    role: 'owned',
    bindsAccount: true,
    render: renderServiceAccount,
    conflictHint: (name) =>
      `it is not bound to Role pod-reader and the pods do not run as it. To run them as that account, set ` +
      `spec.serviceAccountName: ${name}; otherwise delete it, or recreate the ClusterBootstrap under another name`,
    // After spec.serviceAccountName is set, the account the operator made goes once no pod runs as it any more.
    removableWhen: (live, pods) => !pods.some((p) => p.spec?.serviceAccountName === live.metadata?.name),
  }),
  // An agent cluster's record and its rights on it come before the Deployment, so its pods find both when they start.
  ClusterMembership: row<ClusterMembership>({
    apiVersion: MEMBERSHIP_API_VERSION,
    kind: MEMBERSHIP_KIND,
    plural: MEMBERSHIP_PLURAL,
    role: 'owned',
    render: renderClusterMembership,
    conflictHint: () => 'delete it, or recreate the ClusterBootstrap under another name',
  }),
  // The shared pod-reader/read-pods (namespace-rbac.ts), and one resource's own: an agent cluster's
  // <name>-membership, or a lease-majority cluster's <name>-sbr-lease (the resolver is refused for workload agent).
  Role: row<V1Role>({
    apiVersion: RBAC,
    kind: 'Role',
    plural: 'roles',
    role: 'shared',
    render: (cb, r) => renderMembershipRole(cb, r) ?? renderLeaseRole(cb, r),
    conflictHint: () => 'delete it, or recreate the ClusterBootstrap under another name',
  }),
  RoleBinding: row<V1RoleBinding>({
    apiVersion: RBAC,
    kind: 'RoleBinding',
    plural: 'rolebindings',
    role: 'shared',
    render: (cb, r) => renderMembershipRoleBinding(cb, r) ?? renderLeaseRoleBinding(cb, r),
    // Never bind an account that is not the operator's, nor to a Role that is not.
    needs: ['ServiceAccount', 'Role'],
    conflictHint: () => 'delete it, or recreate the ClusterBootstrap under another name',
  }),
  Deployment: row<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    plural: 'deployments',
    role: 'owned',
    render: renderDeployment,
    // Its pods run as the account and use the rights: everything else of theirs is in place first.
    needs: ['ServiceAccount', 'ClusterMembership', 'Role', 'RoleBinding'],
    // The selector is immutable.
    recreateWhen: (live, desired) => !covers(live.spec?.selector, desired.spec?.selector),
    conflictHint: () => 'delete it, or recreate the ClusterBootstrap under another name',
  }),
  PodDisruptionBudget: row<V1PodDisruptionBudget>({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    role: 'owned',
    render: renderPodDisruptionBudget,
    // Needs nothing: it selects only the resource's own pods, and none may exist yet.
  }),
  Pod: row<V1Pod>({ apiVersion: 'v1', kind: 'Pod', plural: 'pods', role: 'owned', trim: trimPod }),
};

type AnyKind = WatchedKind<KubernetesObject>;
const ROWS = Object.values(WATCHED) as AnyKind[];

/** Whether the kind is watched through the managed-by label (everything but the ClusterBootstraps). */
export function labelFiltered(kind: AnyKind): boolean {
  return kind.role !== 'resource';
}

/** The row of a kind. Throws for a kind not in the table: a child rendered but not watched is a programming error. */
export function watchedKind(kind: string | undefined): AnyKind {
  const found = ROWS.find((k) => k.kind === kind);
  if (!found) throw new Error(`kind ${kind} is not in the table of watched kinds (operator/controller/kinds.ts)`);
  return found;
}

export interface Cache<T> {
  get(name: string, namespace: string): T | undefined;
  list(namespace: string): ReadonlyArray<T>;
}

type ObjectOf<W> = W extends WatchedKind<infer T> ? T : never;

/**
 * The informer caches by kind: the read side of the reconcilers. They read current state only from here (never from
 * the event that enqueued a key), and write only through the KubeClient port.
 */
export type Caches = { readonly [K in keyof typeof WATCHED]: Cache<ObjectOf<(typeof WATCHED)[K]>> };

/** Caches with one cache per row, made by `make` (the informers', or the fake's). */
export function cachesOf(make: (kind: AnyKind) => Cache<KubernetesObject>): Caches {
  return Object.fromEntries(ROWS.map((k) => [k.kind, make(k)])) as unknown as Caches;
}

/** The cache of a kind, by name. */
export function cacheFor(caches: Caches, kind: AnyKind): Cache<KubernetesObject> {
  return (caches as unknown as Record<string, Cache<KubernetesObject>>)[kind.kind] as Cache<KubernetesObject>;
}

/** The rows of the children one resource owns alone (those with a render function), in the table's order. */
export function childKinds(): AnyKind[] {
  return ROWS.filter((k) => k.render !== undefined);
}

/** The children one resource owns alone, in the table's order. Pure. */
export function renderChildren(cb: ClusterBootstrap, r: Resolved): KubernetesObject[] {
  return ROWS.flatMap((k) => k.render?.(cb, r) ?? []);
}
