// The observed part of a ClusterBootstrap's status, which the reconcile asks for after applying the children: pods
// from the cache → contact points (core/discovery) → the answers of their management endpoints (probed in the
// background, probe-scheduler.ts) → phase, seed, members and their conditions (compute.ts), and the Events a change
// deserves (cluster-events.ts). observe() returns data; the reconcile writes the status and records the Events.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap, ClusterBootstrapStatus, ObservedStatus } from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { objectKey, splitKey } from '../kernel/key.ts';
import { type ClusterEvent, clusterEvents } from './cluster-events.ts';
import { ClusterMetrics } from './cluster-metrics.ts';
import type { PodView } from './compute.ts';
import type { ConditionInput } from './conditions.ts';
import { discoveryView } from './discovery.ts';
import type { HttpGet } from './probe-http.ts';
import { ProbeScheduler } from './probe-scheduler.ts';
import { replicaFailure } from './problems.ts';
import { podListDenied, rbacMessage, type SharedRbac } from './rbac.ts';
import { targetsFor } from './targets.ts';

export interface ObserveInput {
  r: Resolved;
  /**
   * The status as last written (the informer cache may not hold the operator's own last write yet): the previous
   * phase, and what the Events compare against.
   */
  previous: ClusterBootstrapStatus | undefined;
  /** The Deployment from the cache, if it exists. */
  deployment: V1Deployment | undefined;
  /**
   * The operator's pods of the resource's namespace from the cache (every resource's): the contact points are those
   * the resource's bootstrap.podLabelSelector finds among them, as Pekko's discovery would (discovery.ts).
   */
  pods: readonly V1Pod[];
  /** The namespace's ClusterBootstraps from the cache: a serviceName used twice is a conflict on the later one. */
  resources?: readonly ClusterBootstrap[];
  /** Whether the children are applied as desired (ResourcesReady is True). */
  childrenReady: boolean;
  /**
   * The namespace's Role pod-reader and RoleBinding read-pods from the cache; when given, a cluster that does not form
   * because the pods may not list pods says so. Left out, nothing is said.
   */
  sharedRbac?: SharedRbac;
}

export interface Observed {
  /** The observed status fields. A field left out is removed from the status. */
  status: ObservedStatus;
  /** ContactPointsDiscovered, ClusterFormed, Ready (ResourcesReady is the reconcile's own). */
  conditions: ConditionInput[];
  /** What changed since `previous`, for the reconcile to record as Events on the resource. */
  events: ClusterEvent[];
  /** Look again after this long even without an event (the next probe falls due). */
  requeueAfterMs: number;
  /** Each live pod's latest answer (for operator/lifecycle: deletion costs, scale-down steps). */
  views?: PodView[];
}

/** The port the reconcile asks; main wires probingObserver(). */
export interface StatusObserver {
  /** Must not throw for an unreachable pod: that is an observation. A throw fails the reconcile (retried). */
  observe(input: ObserveInput): Observed;
  /** Drops what is kept about a resource that is gone ("namespace/name"). */
  forget(key: string): void;
}

export interface ProbingObserverOptions {
  get: HttpGet;
  clock: Clock;
  /** Asks for a reconcile of a resource (its answers changed). */
  enqueue: (key: string) => void;
  registry: Registry;
  /** Probe cadence while the cluster can change, and once Formed (ms). */
  fastMs?: number;
  slowMs?: number;
  concurrency?: number;
}

export function probingObserver(o: ProbingObserverOptions): StatusObserver {
  const metrics = new ClusterMetrics(o.registry);
  const scheduler = new ProbeScheduler({
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
    observe({ r, previous, deployment, pods, resources, childrenReady, sharedRbac }) {
      const denied = sharedRbac ? podListDenied(sharedRbac, r.serviceAccountName, r.namespace) : undefined;
      const discovery = discoveryView(r, pods, resources);
      const failure = replicaFailure(deployment);
      const targets = targetsFor(discovery.pods, r, discovery.found);
      const key = objectKey(r.namespace, r.name);
      const { observation, requeueAfterMs, views } = scheduler.observe(key, targets, {
        resourcesReady: childrenReady || deployment !== undefined,
        requiredContactPoints: r.requiredContactPoints,
        ...(previous?.phase ? { previousPhase: previous.phase } : {}),
        ...(denied ? { rbacProblem: rbacMessage(denied, r.serviceAccountName) } : {}),
        ...(discovery.problem ? { discoveryProblem: discovery.problem } : {}),
        ...(failure ? { replicaFailure: failure } : {}),
      });
      metrics.set(r.namespace, r.name, observation);
      const { clusters: _, conditions, ...status } = observation;
      return { status, conditions, events: clusterEvents(previous, observation, r.replicas), requeueAfterMs, views };
    },
    forget(key) {
      scheduler.forget(key);
      const { namespace, name } = splitKey(key);
      metrics.remove(namespace, name);
    },
  };
}
