// Reconciles one namespace's shared Role pod-reader and RoleBinding read-pods. Its key is the namespace, so the
// many ClusterBootstrap events of a burst merge into few runs, and two runs for one namespace never race.
// Members and their accounts: rbac-members.ts (a live resource binds an account it may use; a frozen one, invalid or
// paused, keeps the account the binding remembers for it). Each member owns both objects (not as controller). With
// no member left, both are deleted; while no member is live, both are left alone.
import type { KubernetesObject, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';
import type { ReconcileFn } from '../kernel/controller.ts';
import { objectKey } from '../kernel/key.ts';
import type { KubeClient } from '../kube/client.ts';
import { refOf } from '../kube/client.ts';
import { renderSharedRbac } from '../render/index.ts';
import { ensure } from './apply.ts';
import { applyEvents } from './apply-events.ts';
import type { ChildOutcome } from './children.ts';
import { ownerParts } from './event-keys.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { Cache, Caches } from './kinds.ts';
import { isManagedShared } from './ownership.ts';
import { sharedRbacMembers } from './rbac-members.ts';
import type { RbacConflicts } from './rbac-state.ts';

/** How often a conflict is looked at again: the foreign object is not watched, so its removal brings no event. */
export const CONFLICT_RECHECK_MS = 30_000;

export interface NamespaceRbacDeps {
  caches: Caches;
  client: KubeClient;
  events: EventRecorder;
  conflicts: RbacConflicts;
  enqueueClusterBootstrap: (key: string) => void;
  onApply?: (kind: string) => void;
}

export function makeNamespaceRbacReconciler(deps: NamespaceRbacDeps): ReconcileFn {
  const { caches, client, events, conflicts } = deps;
  return async (namespace, { log }) => {
    const cachedBinding = caches.RoleBinding.get(ROLE_BINDING_NAME, namespace);
    const resources = caches.ClusterBootstrap.list(namespace).filter((cb) => !cb.metadata.deletionTimestamp);
    const { members, anyLive } = sharedRbacMembers({
      resources,
      binding: cachedBinding,
      serviceAccount: (name) => caches.ServiceAccount.get(name, namespace),
    });
    // The two objects serve every resource of the namespace. While none of them is live (each paused or with an
    // invalid spec), they are left as they are too (not created, repaired or deleted): a person editing or removing
    // read-pods by hand keeps the change, and the accounts it remembers stay bound.
    if (resources.length > 0 && !anyLive) {
      log.debug(
        { resources: resources.length },
        'shared RBAC left alone: no ClusterBootstrap of the namespace is live',
      );
      return undefined;
    }
    const desired = renderSharedRbac(namespace, members);
    if (!desired) {
      for (const [cache, name] of [
        [caches.RoleBinding, ROLE_BINDING_NAME],
        [caches.Role, ROLE_NAME],
      ] as [Cache<KubernetesObject>, string][]) {
        const live = cache.get(name, namespace);
        if (live && isManagedShared(live) && (await client.delete(refOf(live)))) {
          log.info({ kind: live.kind, object: name }, 'deleted shared object: no ClusterBootstrap left');
        }
      }
      conflicts.set(namespace, { conflicts: [], failures: [] });
      return undefined;
    }
    /** One apply; a call the API refuses is an outcome the resources report (ApplyFailed), not a throw. */
    const attempt = async <T extends KubernetesObject>(desiredObj: T, cached: T | undefined): Promise<ChildOutcome> => {
      try {
        return await ensure<T>(client, {
          desired: desiredObj,
          cached,
          isManaged: isManagedShared,
          onApply: deps.onApply,
        });
      } catch (err) {
        return { action: 'failed', message: err instanceof Error ? err.message : String(err), error: err };
      }
    };
    const cachedRole = caches.Role.get(ROLE_NAME, namespace);
    // With pod-reader already the operator's, the binding cannot end up bound to a stranger's Role: both are applied
    // at once (each new member changes both: their owner references). Otherwise the Role first.
    const bindingAtOnce =
      cachedRole && isManagedShared(cachedRole)
        ? attempt<V1RoleBinding>(desired.roleBinding, cachedBinding)
        : undefined;
    const roleOutcome = await attempt<V1Role>(desired.role, cachedRole);
    const outcomes: [KubernetesObject, ChildOutcome][] = [[desired.role, roleOutcome]];
    if (bindingAtOnce) {
      outcomes.push([desired.roleBinding, await bindingAtOnce]);
    } else if (roleOutcome.action === 'conflict') {
      // A binding to a Role we do not control would hand our service accounts whatever that Role grants: no
      // binding then, and one of ours that is already there goes.
      if (cachedBinding && isManagedShared(cachedBinding) && (await client.delete(refOf(cachedBinding)))) {
        log.info({ object: ROLE_BINDING_NAME }, "deleted RoleBinding: its Role is not the operator's");
      }
    } else if (roleOutcome.action !== 'failed') {
      outcomes.push([desired.roleBinding, await attempt<V1RoleBinding>(desired.roleBinding, cachedBinding)]);
    }
    const messages: string[] = [];
    const failures: string[] = [];
    const cachedParts = cachedBinding && isManagedShared(cachedBinding) ? ownerParts(cachedBinding) : new Map();
    // A change that adds or drops members is told to those members; a repair, a conflict or a refusal, and a change
    // no member's part explains (a new operator version's objects), to all.
    const changed = new Set(
      [...ownerParts(desired.roleBinding)].filter(([name, part]) => cachedParts.get(name) !== part).map(([n]) => n),
    );
    for (const m of members) {
      const own = changed.size === 0 || changed.has(m.cb.metadata.name ?? '');
      const told = outcomes.filter(([, o]) => own || (o.action !== 'created' && o.action !== 'updated'));
      for (const e of applyEvents(m.cb, told)) events.record(e);
    }
    for (const [obj, outcome] of outcomes) {
      if (outcome.action === 'conflict') messages.push(outcome.message);
      if (outcome.action === 'failed') failures.push(outcome.message);
      if (outcome.action !== 'unchanged') {
        log.info({ kind: obj.kind, object: obj.metadata?.name, action: outcome.action }, 'shared object reconciled');
      }
    }
    if (roleOutcome.action === 'conflict') {
      messages.push('RoleBinding read-pods is not applied: it would bind a Role the operator does not own');
    }
    if (roleOutcome.action === 'failed' && !bindingAtOnce) {
      failures.push('RoleBinding read-pods is not applied until Role pod-reader is');
    }
    if (conflicts.set(namespace, { conflicts: messages, failures })) {
      // The resources report these in their condition: let them look again.
      for (const cb of caches.ClusterBootstrap.list(namespace)) {
        deps.enqueueClusterBootstrap(objectKey(namespace, cb.metadata.name ?? ''));
      }
    }
    // A refused call is retried with the key's backoff.
    const failed = outcomes.find(([, o]) => o.action === 'failed')?.[1];
    if (failed?.action === 'failed') throw failed.error;
    return messages.length ? { requeueAfterMs: CONFLICT_RECHECK_MS } : undefined;
  };
}
