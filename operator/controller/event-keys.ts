// Which queue keys an informer event brings (operator/informers.ts calls it; the handlers only map events to keys).
//   - a ClusterBootstrap: itself, at every event and resync, except an update that is this process's own status
//     write (the pass that wrote it already knows it: status-writer.ts);
//   - a child or pod (`owned`): its owning resource;
//   - the shared Role pod-reader and RoleBinding read-pods: the namespace's RBAC reconcile (which repairs them), and
//     of their owners only those whose part of the object changed (its owner reference, and the account the binding
//     names for it). Each owner's status says whether the objects serve it (cluster-bootstrap.ts sharedRbacReady); a
//     new member changes the binding for itself, not for the others, so a burst of N new resources costs N passes
//     rather than N × N. Another Role or RoleBinding (an agent cluster's <name>-membership) is its owner's child: any
//     change brings the owner, whose pass repairs it;
//   - a ServiceAccount coming or going: the namespace's RBAC reconcile too. read-pods binds a resource's own account
//     only once that account is in the cache (rbac-members.ts), so the account's arrival is what the binding waits
//     for; enqueued here, the binding follows it without waiting for a pass of the resource.
import type { KubernetesObject, V1RoleBinding } from '@kubernetes/client-node';
import { ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';
import type { EventKind } from '../kernel/informer.ts';
import { keyOf, objectKey } from '../kernel/key.ts';
import { rememberedAccounts } from '../render/index.ts';
import { boundAccounts } from '../status/rbac.ts';
import type { WatchedKind } from './kinds.ts';
import { isClusterBootstrapRef, isManagedShared, ownerKeys } from './ownership.ts';

export interface EventKeys {
  clusterBootstraps: string[];
  /** The namespace whose RBAC reconcile should look, if any. */
  namespaceRbac?: string;
}

export interface EventKeysDeps {
  /** Whether this ClusterBootstrap, at its resourceVersion, is this process's own latest status write. */
  isOwnStatusWrite?: (cb: KubernetesObject) => boolean;
}

/** Each owner's part of a shared object: by owner name, its uid, whether the object is ours and the account bound. */
export function ownerParts(obj: KubernetesObject): Map<string, string> {
  const ns = obj.metadata?.namespace ?? '';
  const managed = isManagedShared(obj);
  const accounts = rememberedAccounts(obj);
  const subjects = (obj as V1RoleBinding).subjects;
  const bound = boundAccounts(obj as V1RoleBinding, ns);
  const parts = new Map<string, string>();
  for (const ref of obj.metadata?.ownerReferences ?? []) {
    if (!isClusterBootstrapRef(ref)) continue;
    const account = accounts.get(ref.name);
    const binds = account !== undefined && bound.has(account) ? account : '';
    parts.set(ref.name, JSON.stringify([ref.uid, managed, subjects ? binds : 'no subjects']));
  }
  return parts;
}

export class EventKeyMap {
  private readonly deps: EventKeysDeps;
  /** The last owner parts seen of each shared object. */
  private readonly shared = new Map<string, Map<string, string>>();

  constructor(deps: EventKeysDeps = {}) {
    this.deps = deps;
  }

  keys(kind: WatchedKind<KubernetesObject>, event: EventKind, obj: KubernetesObject): EventKeys {
    if (kind.role === 'resource') {
      const own = event === 'update' && this.deps.isOwnStatusWrite?.(obj) === true;
      return { clusterBootstraps: own ? [] : [keyOf(obj)] };
    }
    if (event === 'resync') return { clusterBootstraps: [] };
    const namespace = obj.metadata?.namespace ?? '';
    if (kind.role === 'shared') {
      const name = obj.metadata?.name;
      const namespaceWide = name === ROLE_NAME || name === ROLE_BINDING_NAME;
      const owners = namespaceWide ? this.changedOwners(kind, event, obj) : ownerKeys(obj);
      return { clusterBootstraps: owners, namespaceRbac: namespace };
    }
    const rbac = kind.bindsAccount === true && event !== 'update';
    return { clusterBootstraps: ownerKeys(obj), ...(rbac ? { namespaceRbac: namespace } : {}) };
  }

  private changedOwners(kind: WatchedKind<KubernetesObject>, event: EventKind, obj: KubernetesObject): string[] {
    const ns = obj.metadata?.namespace ?? '';
    const id = `${kind.kind}/${ns}/${obj.metadata?.name ?? ''}`;
    const before = this.shared.get(id);
    const after = ownerParts(obj);
    if (event === 'delete') this.shared.delete(id);
    else this.shared.set(id, after);
    if (event === 'delete' || !before) return ownerKeys(obj);
    const names = new Set<string>();
    for (const [name, part] of after) if (before.get(name) !== part) names.add(name);
    for (const name of before.keys()) if (!after.has(name)) names.add(name);
    return [...names].map((n) => objectKey(ns, n));
  }
}
