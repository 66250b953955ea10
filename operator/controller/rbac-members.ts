// Who the namespace's Role pod-reader and RoleBinding read-pods serve, and which account each binds. Pure: the
// namespace RBAC reconcile (namespace-rbac.ts) passes what its caches hold.
//
// A resource is *live* when its spec is valid and not paused. Its account is bound only when the resource may use it:
// the one `spec.serviceAccountName` names (the user chose it), or else the ServiceAccount the operator made for this
// resource. Any other account of that name (a resource named `default`) is never bound.
//
// A resource is *frozen* when its spec is invalid or paused: its Deployment is left exactly as it was, so read-pods
// keeps the account it bound for it last. That account is remembered by the live binding itself (its
// SUBJECTS_ANNOTATION, beside an owner reference to the resource's uid): the memory survives a restart of the operator,
// and a pod of the frozen Deployment that is replaced meanwhile can still list pods and join.
import type { V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { resolve } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { type Member, rememberedAccounts } from '../render/index.ts';
import { isManagedChild, isManagedShared } from './ownership.ts';

export interface MembersInput {
  /** The namespace's ClusterBootstraps. */
  resources: readonly ClusterBootstrap[];
  /** read-pods from the cache (which holds only labelled objects). */
  binding: V1RoleBinding | undefined;
  /** A ServiceAccount of the namespace by name, from the cache (labelled ones only). */
  serviceAccount: (name: string) => V1ServiceAccount | undefined;
}

export interface SharedRbacMembers {
  /** The resources read-pods binds an account for, each with that account; they own both objects. */
  members: Member[];
  /**
   * Whether a resource of the namespace is live. While there are resources and none is, the objects are left as they
   * are: not created, repaired or deleted.
   */
  anyLive: boolean;
}

/** The account read-pods bound for a resource, as the operator's binding remembers it. */
export function rememberedAccount(binding: V1RoleBinding | undefined, cb: ClusterBootstrap): string | undefined {
  if (!binding || !isManagedShared(binding)) return undefined;
  if (!(binding.metadata?.ownerReferences ?? []).some((o) => o.uid === cb.metadata.uid)) return undefined;
  return rememberedAccounts(binding).get(cb.metadata.name ?? '');
}

export function sharedRbacMembers({ resources, binding, serviceAccount }: MembersInput): SharedRbacMembers {
  const members: Member[] = [];
  let anyLive = false;
  for (const cb of resources) {
    if (cb.metadata.deletionTimestamp) continue;
    const v = validate(cb);
    const r = v.spec ? resolve(cb, v.spec) : undefined;
    if (r && !r.paused) {
      anyLive = true;
      const own = serviceAccount(r.serviceAccountName);
      if (r.createServiceAccount && !(own && isManagedChild(own, r.name))) continue;
      members.push({ cb, account: r.serviceAccountName });
    } else {
      const account = rememberedAccount(binding, cb);
      if (account !== undefined) members.push({ cb, account });
    }
  }
  return { members, anyLive };
}
