// The observed part of a ClusterBootstrap's status, which the reconcile asks for after applying the children: pods
// from the cache → contact points (core/discovery) → the answers of their management endpoints (probed in the
// background, probe-scheduler.ts) → phase, seed, members and their conditions (compute.ts), why no cluster forms
// (diagnosis.ts), and the Events a change deserves (cluster-events.ts). observe() returns data; the reconcile writes
// the status and records the Events.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap, ClusterBootstrapStatus, ObservedStatus } from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { parseDuration } from '../../core/settings/value-types.ts';
import { objectKey, splitKey } from '../kernel/key.ts';
import type { PodListReview } from '../kube/access-review.ts';
import { INSTANCE_LABEL } from '../render/index.ts';
import { type ClusterEvent, clusterEvents } from './cluster-events.ts';
import { ClusterMetrics } from './cluster-metrics.ts';
import type { ObservedCluster, PodView } from './compute.ts';
import type { ConditionInput } from './conditions.ts';
import { diagnose, withDiagnoses } from './diagnosis.ts';
import { discoveryView } from './discovery.ts';
import type { OpenStream } from './event-stream.ts';
import { EventStreams } from './event-streams.ts';
import { holdUntilAnswered, withKnownNodes } from './first-answers.ts';
import { FormationWatch } from './formation-watch.ts';
import { PodListAccess } from './pod-list-access.ts';
import type { HttpGet } from './probe-http.ts';
import { ProbeScheduler } from './probe-scheduler.ts';
import { replicaFailure } from './problems.ts';
import { podListDenied, rbacMessage, type SharedRbac } from './rbac.ts';
import { streamMetrics } from './stream-metrics.ts';
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
  /** The clusters the pods report, largest first (two or more: a split); left out by scripted observers in tests. */
  clusters?: ObservedCluster[];
  /** Look again after this long even without an event (the next probe falls due). */
  requeueAfterMs: number;
  /** Each live pod's latest answer (for operator/lifecycle: deletion costs, scale-down steps). */
  views?: PodView[];
  /**
   * True while a formed cluster's first answers are awaited after the operator started (first-answers.ts): the
   * observation is the stored one, and nothing new is known to write.
   */
  held?: boolean;
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
  /** Opens a domain-events stream (event-stream.ts); left out, the status is only polled. */
  openStream?: OpenStream;
  /** Streams held at once, across all resources (config STATUS_EVENT_STREAMS; 0: none). */
  maxStreams?: number;
  /**
   * Asks the API server whether an account may list pods (kube/access-review.ts). Left out, the cached pod-reader and
   * read-pods stand in for the answer.
   */
  reviewPodList?: PodListReview;
}

/** The accounts a resource's pods run as (at most 3), else the one the spec gives them. */
function accountsOf(pods: readonly V1Pod[], fallback: string): string[] {
  const names = new Set(
    pods.flatMap((p) => (p.metadata?.deletionTimestamp ? [] : [p.spec?.serviceAccountName ?? 'default'])),
  );
  return names.size ? [...names].sort().slice(0, 3) : [fallback];
}

const versionOf = (rbac: SharedRbac) =>
  `${rbac.role?.metadata?.resourceVersion ?? '-'}/${rbac.roleBinding?.metadata?.resourceVersion ?? '-'}`;

export function probingObserver(o: ProbingObserverOptions): StatusObserver {
  const metrics = new ClusterMetrics(o.registry);
  let streams: EventStreams | undefined;
  if (o.openStream && o.maxStreams !== 0) {
    const holder: { streams?: EventStreams } = {};
    streams = new EventStreams({
      open: o.openStream,
      clock: o.clock,
      metrics: streamMetrics(o.registry, () => holder.streams?.open ?? 0),
      ...(o.maxStreams !== undefined ? { maxStreams: o.maxStreams } : {}),
    });
    holder.streams = streams;
  }
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
    ...(streams ? { streams } : {}),
    ...(o.fastMs !== undefined ? { fastMs: o.fastMs } : {}),
    ...(o.slowMs !== undefined ? { slowMs: o.slowMs } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
  });
  const access = o.reviewPodList
    ? new PodListAccess({ review: o.reviewPodList, clock: o.clock, enqueue: o.enqueue })
    : undefined;
  const watch = new FormationWatch();

  /** Why the pods may not list pods, in words, or undefined (allowed, not asked, or nobody needs to know). */
  function rbacProblem(key: string, r: Resolved, own: readonly V1Pod[], rbac: SharedRbac, formed: boolean) {
    const cached = (account: string) => podListDenied(rbac, account, r.namespace);
    if (!access) {
      const denied = cached(r.serviceAccountName);
      return denied ? rbacMessage(denied, r.serviceAccountName, r.namespace) : undefined;
    }
    // Only a cluster that has not formed needs the pod list explained, and only pods list pods.
    if (formed || own.length === 0) return undefined;
    const verdict = access.verdict(key, r.namespace, accountsOf(own, r.serviceAccountName), versionOf(rbac));
    if (verdict.kind === 'denied') return rbacMessage(cached(verdict.account), verdict.account, r.namespace);
    // The operator cannot ask (an older RBAC without localsubjectaccessreviews): what the cache suggests.
    if (verdict.kind === 'unknown' && verdict.error) {
      const denied = cached(r.serviceAccountName);
      return denied ? rbacMessage(denied, r.serviceAccountName, r.namespace) : undefined;
    }
    return undefined;
  }

  return {
    observe({ r, previous, deployment, pods, resources, childrenReady, sharedRbac }) {
      const key = objectKey(r.namespace, r.name);
      const own = pods.filter((p) => p.metadata?.labels?.[INSTANCE_LABEL] === r.name);
      const formed = previous?.phase === 'Formed' || previous?.phase === 'Degraded';
      const rbac = sharedRbac ? rbacProblem(key, r, own, sharedRbac, formed) : undefined;
      const discovery = discoveryView(r, pods, resources);
      const failure = replicaFailure(deployment);
      const targets = targetsFor(discovery.pods, r, discovery.found);
      const scheduled = scheduler.observe(key, targets, {
        resourcesReady: childrenReady || deployment !== undefined,
        requiredContactPoints: r.requiredContactPoints,
        ...(previous?.phase ? { previousPhase: previous.phase } : {}),
        ...(rbac ? { rbacProblem: rbac } : {}),
        ...(discovery.problem ? { discoveryProblem: discovery.problem } : {}),
        ...(failure ? { replicaFailure: failure } : {}),
        // With a split brain resolver, look at least every stable-after: a partition then shows before it decides.
        ...(r.splitBrainResolver ? { slowMs: parseDuration(r.splitBrainResolver.stableAfter) } : {}),
      });
      const kept = holdUntilAnswered(previous, scheduled.observation, scheduled.views);
      const held = kept !== scheduled.observation;
      const computed = withKnownNodes(previous, kept);
      const stalled = watch.update(key, computed, r.requiredContactPoints, o.clock.monotonic());
      const diagnoses = diagnose({
        r: { ...r, stableMarginMs: parseDuration(r.stableMargin) ?? 0 },
        pods: own,
        ...(discovery.problem ? { discoveryProblem: discovery.problem } : {}),
        ...(failure ? { replicaFailure: failure } : {}),
        ...(rbac ? { rbacProblem: rbac } : {}),
        ...(stalled ? { stalled } : {}),
      });
      const observation = withDiagnoses(computed, diagnoses);
      metrics.set(r.namespace, r.name, observation);
      const { clusters, conditions, ...status } = observation;
      const events = clusterEvents(previous, observation, r.replicas);
      return {
        status,
        conditions,
        events,
        clusters,
        requeueAfterMs: scheduled.requeueAfterMs,
        views: scheduled.views,
        ...(held ? { held } : {}),
      };
    },
    forget(key) {
      scheduler.forget(key);
      access?.forget(key);
      watch.forget(key);
      const { namespace, name } = splitKey(key);
      metrics.remove(namespace, name);
    },
  };
}
