// The probing StatusObserver that main wires into the ClusterBootstrap reconcile (operator/controller/observer.ts):
// pods from the cache → contact points (core/discovery) → answers of their management endpoints (bounded, adaptive
// probing) → phase, seed, members, conditions; plus the Events and gauges that follow from a change.
import type { Registry } from 'prom-client';
import type { Clock } from '../../core/runtime/clock.ts';
import type { ConditionInput } from '../controller/conditions.ts';
import type { EventInput } from '../controller/events.ts';
import type { ObservedStatus, ObserveInput, StatusObserver } from '../controller/observer.ts';
import { objectKey, splitKey } from '../kernel/key.ts';
import { statusEvents } from './events.ts';
import type { HttpGet } from './http.ts';
import { ClusterMetrics } from './metrics.ts';
import { StatusObserver as Prober } from './observer.ts';
import { podListDenied, rbacMessage, type SharedRbac } from './rbac.ts';
import { targetsFor } from './targets.ts';

export { httpGet } from './http.ts';

export interface ProbingObserverOptions {
  get: HttpGet;
  clock: Clock;
  /** Asks for a reconcile of a resource (its answers changed). */
  enqueue: (key: string) => void;
  recordEvent: (e: EventInput) => void;
  registry: Registry;
  /** Probe cadence while the cluster can change, and once Formed (ms). */
  fastMs?: number;
  slowMs?: number;
  concurrency?: number;
}

/**
 * What observe() reads. `sharedRbac`: the namespace's Role pod-reader and RoleBinding read-pods from the cache; when
 * given, a cluster that does not form because the pods may not list pods says so. Left out, nothing is said.
 */
export type ProbingObserveInput = ObserveInput & { sharedRbac?: SharedRbac };

export interface ProbingObserver extends StatusObserver {
  forget(key: string): void;
}

export function probingObserver(o: ProbingObserverOptions): ProbingObserver {
  const metrics = new ClusterMetrics(o.registry);
  const prober = new Prober({
    get: async (url, limits) => {
      try {
        const res = await o.get(url, limits);
        metrics.probes.inc({ result: 'ok' });
        return res;
      } catch (err) {
        metrics.probes.inc({ result: 'error' });
        throw err;
      }
    },
    clock: o.clock,
    onChange: o.enqueue,
    ...(o.fastMs !== undefined ? { fastMs: o.fastMs } : {}),
    ...(o.slowMs !== undefined ? { slowMs: o.slowMs } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
  });

  return {
    async observe(input: ProbingObserveInput): Promise<ObservedStatus> {
      const { cb, r, deployment, pods, childrenReady, log, sharedRbac } = input;
      const key = objectKey(r.namespace, r.name);
      const denied = sharedRbac ? podListDenied(sharedRbac, r.serviceAccountName, r.namespace) : undefined;
      const { observation: obs, requeueAfterMs } = prober.observe(key, targetsFor(pods, r), {
        resourcesReady: childrenReady || deployment !== undefined,
        requiredContactPoints: r.requiredContactPoints,
        ...(cb.status?.phase ? { previousPhase: cb.status.phase } : {}),
        ...(denied ? { rbacProblem: rbacMessage(denied, r.serviceAccountName) } : {}),
      });
      for (const e of statusEvents(cb.status, obs, r.replicas)) {
        log.info({ reason: e.reason, note: e.note }, 'cluster status changed');
        o.recordEvent({ regarding: cb, type: e.type, reason: e.reason, action: 'Observe', note: e.note });
      }
      metrics.set(r.namespace, r.name, obs);
      return {
        phase: obs.phase,
        message: obs.message,
        readyContactPoints: obs.readyContactPoints,
        contactPoints: obs.contactPoints,
        ...(obs.seedNode !== undefined ? { seedNode: obs.seedNode } : {}),
        ...(obs.members !== undefined ? { members: obs.members } : {}),
        conditions: obs.conditions as ConditionInput[],
        requeueAfterMs,
      };
    },
    forget(key: string): void {
      prober.forget(key);
      const { namespace, name } = splitKey(key);
      metrics.remove(namespace, name);
    },
  };
}
