// Reconciles one ClusterBootstrap: key in, result out. It reads the resource from the cache, validates it, fixes
// requiredContactPoints in status, applies its own children (kinds.ts lists them), asks the namespace RBAC reconcile
// to look at the shared Role and RoleBinding when its membership may have changed, observes the pods, records the
// Events and writes status only when it changed (a new resource's first status waits briefly for read-pods:
// first-status.ts).
//
// Result contract: undefined = done; requeueAfterMs = look again (a conflict to re-check, or the observer's
// schedule); a thrown error = retry with backoff.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Resolved, resolve } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, ConditionType, ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { SETTINGS } from '../../core/settings/catalog.ts';
import { httpStatus } from '../errors.ts';
import type { ReconcileFn } from '../kernel/controller.ts';
import { splitKey } from '../kernel/key.ts';
import type { KubeClient } from '../kube/client.ts';
import { withFormationProblem } from '../lifecycle/formation.ts';
import { type Lifecycle, prepare } from '../lifecycle/lifecycle.ts';
import { INSTANCE_LABEL, renderedValue, selectorString } from '../render/index.ts';
import { findCondition } from '../status/conditions.ts';
import { desiredStatus, type StatusInput } from '../status/desired.ts';
import { membershipExclusive } from '../status/membership-exclusive.ts';
import type { StatusObserver } from '../status/observer.ts';
import { boundAccounts, type SharedRbac } from '../status/rbac.ts';
import { resourcesReady } from '../status/resources-ready.ts';
import { applyEvents } from './apply-events.ts';
import { type ChildResult, makeChildren } from './children.ts';
import { EventReason, type EventRecorder } from './event-recorder.ts';
import { firstStatusWaitMs } from './first-status.ts';
import type { Caches } from './kinds.ts';
import { CONFLICT_RECHECK_MS } from './namespace-rbac.ts';
import { isManagedChild, isManagedShared } from './ownership.ts';
import type { RbacConflicts } from './rbac-state.ts';
import type { SplitBrain } from './split-brain-lease.ts';
import type { SplitRepair } from './split-repair.ts';
import type { StatusWriter } from './status-writer.ts';

export interface ClusterBootstrapDeps {
  caches: Caches;
  client: KubeClient;
  events: EventRecorder;
  status: StatusWriter;
  observer: StatusObserver;
  /** Rollouts, scale-down, deletion costs (operator/lifecycle). */
  lifecycle: Lifecycle;
  conflicts: RbacConflicts;
  clock: Clock;
  enqueueNamespaceRbac: (namespace: string) => void;
  onApply?: (kind: string) => void;
  /** Split repair (spec.splitRepair); left out, a split is only reported. */
  splitRepair?: SplitRepair;
  /** spec.splitBrainResolver's Lease and status part; left out, the field is not reported (unit tests). */
  splitBrain?: SplitBrain;
}

/** True when the shared Role and RoleBinding exist, are ours, are owned by cb and bind its service account. */
export function sharedRbacReady({ role, roleBinding }: SharedRbac, cb: ClusterBootstrap, r: Resolved): boolean {
  const ownedByCb = (o: KubernetesObject) =>
    isManagedShared(o) && (o.metadata?.ownerReferences ?? []).some((ref) => ref.uid === cb.metadata.uid);
  return (
    !!role &&
    !!roleBinding &&
    ownedByCb(role) &&
    ownedByCb(roleBinding) &&
    boundAccounts(roleBinding, r.namespace).has(r.serviceAccountName)
  );
}

export function makeClusterBootstrapReconciler(deps: ClusterBootstrapDeps): ReconcileFn {
  const { caches, client, events, status, observer, clock } = deps;

  const children = makeChildren({ caches, client, onApply: deps.onApply });

  /** Applies the children, records what it did as Events and logs it. */
  async function applyChildren(cb: ClusterBootstrap, r: Resolved, log: Logger): Promise<ChildResult[]> {
    const results = await children.apply(cb, r);
    for (const e of applyEvents(cb, results)) events.record(e);
    for (const [obj, outcome] of results) {
      if (outcome.action === 'unchanged') continue;
      const fields = { kind: obj.kind, object: obj.metadata?.name, action: outcome.action };
      if (outcome.action === 'failed') log.warn({ ...fields, err: outcome.error }, 'child not applied');
      else log.info(fields, 'child reconciled');
    }
    return results;
  }

  /** Per resource key: what its shared RBAC membership depends on, as last handed to the namespace RBAC reconcile. */
  const membership = new Map<string, string>();

  /**
   * Asks the namespace RBAC reconcile to look when this resource's membership of pod-reader/read-pods may have
   * changed: it came or went, its spec changed (validity, paused, account name: generation), or its own
   * ServiceAccount came or went. Not on every pass: that recomputes the namespace's every member each time.
   */
  function noteMembership(key: string, namespace: string, cb: ClusterBootstrap | undefined): void {
    const live = cb && !cb.metadata.deletionTimestamp;
    const account = live ? (cb.spec?.serviceAccountName ?? cb.metadata.name ?? '') : '';
    const signature = live
      ? `${cb.metadata.uid}/${cb.metadata.generation}/${caches.ServiceAccount.get(account, namespace)?.metadata?.uid ?? '-'}`
      : undefined;
    if (membership.get(key) === signature && signature !== undefined) return;
    if (signature === undefined) membership.delete(key);
    else membership.set(key, signature);
    deps.enqueueNamespaceRbac(namespace);
  }

  return async (key, { log }) => {
    const { namespace, name } = splitKey(key);
    const cb = caches.ClusterBootstrap.get(name, namespace);
    noteMembership(key, namespace, cb);
    if (!cb || cb.metadata.deletionTimestamp) {
      status.forget(key);
      observer.forget(key);
      deps.lifecycle.forget(key);
      deps.splitRepair?.forget(key);
      await deps.splitBrain?.forget(key);
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
        deployment: caches.Deployment.get(name, namespace),
      });
      return undefined;
    }
    // requiredContactPoints, once fixed (the spec's value, else the first non-zero replica count), is kept in status;
    // later passes read it back through the status writer, which remembers its own write until the cache has it, so a
    // scale right after creation does not change it. When the status is lost (a restore, a replaced object), the live
    // Deployment still says what the pods were given.
    const live = caches.Deployment.get(name, namespace);
    const ownDeployment = live && isManagedChild(live, name) ? live : undefined;
    const kept = previous?.requiredContactPoints ?? renderedValue(ownDeployment, SETTINGS.requiredContactPointNr);
    const r = resolve({ metadata: cb.metadata, status: { requiredContactPoints: kept } }, v.spec);

    const ownPods = caches.Pod.list(namespace).filter((p) => p.metadata?.labels?.[INSTANCE_LABEL] === name);
    // As rendered: with the pod template revision and the scale-down's step (operator/lifecycle/lifecycle.ts).
    const rendered = r.paused ? undefined : prepare(cb, r, previous, ownDeployment, ownPods);
    const results = rendered ? await applyChildren(cb, rendered, log) : [];
    const messages = (action: 'conflict' | 'failed' | 'waiting') => [
      ...new Set(results.flatMap(([, o]) => (o.action === action ? [o.message] : []))),
    ];
    const shared = deps.conflicts.get(namespace);
    const conflicts = r.paused ? [] : [...messages('conflict'), ...shared.conflicts];
    const sharedRbac: SharedRbac = {
      role: caches.Role.get(ROLE_NAME, namespace),
      roleBinding: caches.RoleBinding.get(ROLE_BINDING_NAME, namespace),
    };
    const ready = resourcesReady({
      paused: r.paused,
      conflicts,
      failures: [...messages('failed'), ...shared.failures],
      waiting: messages('waiting'),
      sharedRbacReady: sharedRbacReady(sharedRbac, cb, r),
      ...(r.workload === 'agent' ? { agentCluster: r.name } : {}),
    });

    const deployment = caches.Deployment.get(name, namespace);
    const observation = observer.observe({
      r,
      previous,
      deployment,
      // Every resource's pods: the observer finds the ones the resource's discovery selector matches.
      pods: caches.Pod.list(namespace),
      resources: caches.ClusterBootstrap.list(namespace),
      childrenReady: ready.status === 'True',
      sharedRbac,
    });
    const sbr = await deps.splitBrain?.reconcile({
      cb,
      r,
      previous,
      pods: ownPods,
      clusters: observation.clusters ?? [],
    });
    for (const e of [...observation.events, ...(sbr?.events ?? [])]) {
      log.info({ reason: e.reason, note: e.note }, 'cluster status changed');
      events.record({ regarding: cb, ...e, action: 'Observe' });
    }
    const lifecycle = await deps.lifecycle.afterObserve({
      key,
      cb,
      r,
      rendered,
      previous,
      deployment,
      pods: ownPods,
      views: observation.views ?? [],
      observed: observation.status,
    });
    // While every member is gone, the formation record says why no cluster forms (operator/lifecycle/formation.ts).
    const observed = withFormationProblem(observation, lifecycle.formationProblem);
    for (const e of lifecycle.events) {
      log.info({ reason: e.reason, note: e.note }, 'lifecycle');
      events.record({ regarding: cb, ...e });
    }
    await deps.splitRepair?.run({
      cb,
      r,
      clusters: observed.clusters,
      phase: observed.status.phase,
      pods: ownPods,
      log,
    });
    // Right after the operator started, a formed cluster's pods have not answered yet: the stored status stands until
    // they do (their answers bring the next pass), unless the spec or the children changed meanwhile.
    const unchanged =
      observation.held &&
      previous?.observedGeneration === generation &&
      findCondition(previous?.conditions, ConditionType.ResourcesReady)?.status === ready.status;
    // A new resource waiting only for read-pods writes its first status once that binds it (first-status.ts).
    const firstWaitMs = firstStatusWaitMs({
      hasStatus: previous !== undefined,
      resourcesReady: ready,
      createdAt: cb.metadata.creationTimestamp,
      nowMs: clock.now(),
    });
    if (!unchanged && firstWaitMs === 0)
      await writeStatus(cb, {
        previous,
        generation,
        nowMs: clock.now(),
        resourcesReady: ready,
        ...(r.requiredContactPointsFixed ? { requiredContactPoints: r.requiredContactPoints } : {}),
        selector: selectorString(r),
        deployment,
        observed,
        lifecycle,
        ...(deps.splitBrain ? { splitBrain: sbr ?? {} } : {}),
        membershipExclusive: membershipExclusive(r, caches.ClusterBootstrap.list(namespace)) ?? null,
      });
    // A refused call is retried with the key's backoff, now that the status says why.
    const failure = results.find(([, o]) => o.action === 'failed')?.[1];
    if (failure?.action === 'failed') throw failure.error;
    const requeueAfterMs = conflicts.length ? CONFLICT_RECHECK_MS : observed.requeueAfterMs;
    return {
      requeueAfterMs: Math.min(
        requeueAfterMs,
        firstWaitMs || requeueAfterMs,
        lifecycle.requeueAfterMs ?? requeueAfterMs,
        sbr?.requeueAfterMs ?? requeueAfterMs,
      ),
    };
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
