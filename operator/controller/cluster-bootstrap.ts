// Reconciles one ClusterBootstrap: key in, result out. It reads the resource from the cache, validates it, fixes
// requiredContactPoints in status, applies its own children (Deployment, ServiceAccount), asks the namespace RBAC
// reconcile to look at the shared Role and RoleBinding, observes the pods, and writes status only when it changed.
//
// Result contract: undefined = done; requeueAfterMs = look again (a conflict to re-check, or the observer's
// schedule); a thrown error = retry with backoff.
import type { KubernetesObject, V1Deployment, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { type Resolved, resolve } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { httpStatus } from '../errors.ts';
import type { ReconcileFn } from '../kernel/controller.ts';
import { splitKey } from '../kernel/key.ts';
import type { KubeClient } from '../kube/client.ts';
import { refOf } from '../kube/client.ts';
import { INSTANCE_LABEL, renderChildren, selectorString } from '../render/index.ts';
import { desiredStatus, type StatusInput } from '../status/desired.ts';
import type { StatusObserver } from '../status/observer.ts';
import { resourcesReady } from '../status/resources-ready.ts';
import { covers, type EnsureOutcome, ensure } from './apply.ts';
import { applyEvents } from './apply-events.ts';
import type { Caches } from './caches.ts';
import { EventReason, type EventRecorder } from './event-recorder.ts';
import { CONFLICT_RECHECK_MS } from './namespace-rbac.ts';
import { isManagedChild, isManagedShared } from './ownership.ts';
import type { RbacConflicts } from './rbac-state.ts';
import type { StatusWriter } from './status-writer.ts';

export interface ClusterBootstrapDeps {
  caches: Caches;
  client: KubeClient;
  events: EventRecorder;
  status: StatusWriter;
  observer: StatusObserver;
  conflicts: RbacConflicts;
  clock: Clock;
  enqueueNamespaceRbac: (namespace: string) => void;
  onApply?: (kind: string) => void;
}

/** True when the shared Role and RoleBinding exist, are ours, are owned by cb and bind its service account. */
export function sharedRbacReady(caches: Caches, cb: ClusterBootstrap, r: Resolved): boolean {
  const ns = r.namespace;
  const role = caches.roles.get(ROLE_NAME, ns);
  const binding = caches.roleBindings.get(ROLE_BINDING_NAME, ns);
  const ownedByCb = (o: V1Role | V1RoleBinding) =>
    isManagedShared(o) && (o.metadata?.ownerReferences ?? []).some((ref) => ref.uid === cb.metadata.uid);
  return (
    !!role &&
    !!binding &&
    ownedByCb(role) &&
    ownedByCb(binding) &&
    (binding.subjects ?? []).some(
      (s) => s.kind === 'ServiceAccount' && s.name === r.serviceAccountName && (s.namespace ?? ns) === ns,
    )
  );
}

export function makeClusterBootstrapReconciler(deps: ClusterBootstrapDeps): ReconcileFn {
  const { caches, client, events, status, observer, clock } = deps;

  /** Applies the Deployment; a changed selector (immutable) means delete and let the next pass create it. */
  async function ensureDeployment(cb: ClusterBootstrap, desired: V1Deployment): Promise<EnsureOutcome> {
    const name = cb.metadata.name ?? '';
    const cached = caches.deployments.get(desired.metadata?.name ?? '', cb.metadata.namespace ?? '');
    try {
      return await ensure(client, {
        desired,
        cached,
        isManaged: (o) => isManagedChild(o, name),
        onApply: deps.onApply,
      });
    } catch (err) {
      if (httpStatus(err) === 422 && cached && !covers(cached.spec?.selector, desired.spec?.selector)) {
        await client.delete(refOf(desired));
        return { action: 'updated' };
      }
      throw err;
    }
  }

  return async (key, { log }) => {
    const { namespace, name } = splitKey(key);
    const cb = caches.clusterBootstraps.get(name, namespace);
    // Membership of the shared RBAC may change with any change of a resource (validity, deletion, account name).
    deps.enqueueNamespaceRbac(namespace);
    if (!cb || cb.metadata.deletionTimestamp) {
      status.forget(key);
      observer.forget(key);
      return undefined;
    }
    const generation = cb.metadata.generation;
    // The status as last written: the cache may not hold this process's own last write yet (status-writer.ts).
    const previous = status.effective(cb);
    const v = validate(cb);
    if (!v.spec) {
      const message = v.errors.join('; ');
      log.info({ errors: v.errors }, 'invalid spec');
      events.record({
        regarding: cb,
        type: 'Warning',
        reason: EventReason.InvalidSpec,
        action: 'Validate',
        note: message,
      });
      await writeStatus(cb, {
        previous,
        generation,
        nowMs: clock.now(),
        resourcesReady: resourcesReady({ invalidSpec: message }),
        deployment: caches.deployments.get(name, namespace),
      });
      return undefined;
    }
    // requiredContactPoints comes from status once it is there (the spec's value, else the replica count at the
    // first reconcile); this pass's status write fixes it. Later passes read it back through the status writer,
    // which remembers its own write until the cache has it, so a scale right after creation does not change it.
    const r = resolve({ metadata: cb.metadata, status: previous }, v.spec);

    const conflicts: string[] = [];
    if (!r.paused) {
      const children = renderChildren(cb, r);
      // The two children are independent: look them up and apply them at the same time.
      const sa = children.serviceAccount;
      const [depOutcome, saOutcome] = await Promise.all([
        ensureDeployment(cb, children.deployment),
        sa
          ? ensure(client, {
              desired: sa,
              cached: caches.serviceAccounts.get(sa.metadata?.name ?? '', namespace),
              isManaged: (o) => isManagedChild(o, name),
              onApply: deps.onApply,
            })
          : undefined,
      ]);
      const results: [KubernetesObject, EnsureOutcome][] = [[children.deployment, depOutcome]];
      if (sa && saOutcome) results.push([sa, saOutcome]);
      for (const e of applyEvents(cb, results)) events.record(e);
      for (const [obj, outcome] of results) {
        if (outcome.action !== 'unchanged')
          log.info({ kind: obj.kind, object: obj.metadata?.name, action: outcome.action }, 'child reconciled');
        if (outcome.action === 'conflict') conflicts.push(outcome.message);
      }
      conflicts.push(...deps.conflicts.get(namespace));
    }
    const ready = resourcesReady({
      paused: r.paused,
      conflicts,
      sharedRbacReady: sharedRbacReady(caches, cb, r),
    });

    const deployment = caches.deployments.get(name, namespace);
    const pods = caches.pods.list(namespace).filter((p) => p.metadata?.labels?.[INSTANCE_LABEL] === name);
    const sharedRbac = {
      role: caches.roles.get(ROLE_NAME, namespace),
      roleBinding: caches.roleBindings.get(ROLE_BINDING_NAME, namespace),
    };
    const observed = observer.observe({
      r,
      previous,
      deployment,
      pods,
      childrenReady: ready.status === 'True',
      sharedRbac,
    });
    for (const e of observed.events) {
      log.info({ reason: e.reason, note: e.note }, 'cluster status changed');
      events.record({ regarding: cb, ...e, action: 'Observe' });
    }
    await writeStatus(cb, {
      previous,
      generation,
      nowMs: clock.now(),
      resourcesReady: ready,
      requiredContactPoints: r.requiredContactPoints,
      selector: selectorString(r),
      deployment,
      observed,
    });
    const requeue = conflicts.length ? CONFLICT_RECHECK_MS : observed.requeueAfterMs;
    return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
  };

  /** Writes status; a resource deleted meanwhile is not an error (its deletion brings its own event). */
  async function writeStatus(cb: ClusterBootstrap, input: StatusInput): Promise<void> {
    try {
      await status.write(cb, desiredStatus(input));
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
  }
}
