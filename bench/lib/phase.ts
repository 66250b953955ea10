// One measured phase of the scale benchmark: a controller (ours or the peer) started fresh under the memory limit,
// N resources of R status-only pods created in fresh namespaces (pods silent, or answered by the responder like
// healthy Pekko nodes), then: time to all children, time to all statuses correct, a settle pause, an idle window
// with CPU, API requests, probes and status writes counted, memory read; then the controller restarted on the same
// resources (its initial sync: every resource reconciled, with what it wrote), everything stopped and deleted. With
// answering pods, between the idle window and the restart: the status lag of membership changes (status-lag.ts).
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { waitFor } from '../../test-e2e/lib/index.ts';
import type { Identity } from './identity.ts';
import { measureIdle } from './idle.ts';
import { memoryLimit } from './memory-limit.ts';
import { PodFeed } from './pod-feed.ts';
import { loadAverage, memory } from './proc.ts';
import { metric, type Sample, sum } from './prom.ts';
import { ResponderProcess } from './responder.ts';
import { percentile } from './stats.ts';
import { type LagResult, measureStatusLag, StatusWaiters } from './status-lag.ts';
import { Subject, type SubjectKind } from './subject.ts';
import { Tracker } from './tracker.ts';
import { createNamespaces, createResources, deleteRuns, layoutFor } from './workload.ts';

export type PodMode = 'silent' | 'answering';

export interface PhaseOptions {
  subject: SubjectKind;
  pods: PodMode;
  /** ours with its event streams off (STATUS_EVENT_STREAMS=0): polling only */
  polled: boolean;
  /** answering pods: status lag samples after the idle window (0: none), one every spacingMs */
  lag: { samples: number; spacingMs: number };
  n: number;
  replicas: number;
  perNamespace: number;
  createConcurrency: number;
  settleMs: number;
  idleMs: number;
  timeoutMs: number;
  /** 'cluster': the controller watches every namespace (the chart's default); 'namespaces': only the run's */
  scope: 'cluster' | 'namespaces';
  identity: Identity;
  limitBytes: number;
  peerBinary?: string;
  runId: string;
}

export interface PhaseResult {
  subject: SubjectKind;
  pods: PodMode;
  /** ours with STATUS_EVENT_STREAMS=0 */
  polled?: boolean;
  n: number;
  replicas: number;
  limitHow: string;
  rssBeforeBytes?: number;
  /** from the first create call to the last one returning */
  createsMs?: number;
  /** from the first create call to the last resource complete */
  childrenMs?: number;
  statusMs?: number;
  /** per resource, from its create call returning: p50 and p99 */
  childrenP50Ms?: number;
  childrenP99Ms?: number;
  statusP50Ms?: number;
  statusP99Ms?: number;
  /** from the first create call to all N × R pods Ready (the idle window starts after it, for every controller) */
  podsReadyMs?: number;
  peakRssBytes?: number;
  settledRssBytes?: number;
  peakChargedBytes?: number;
  oomKills?: number;
  heapUsedBytes?: number;
  heapTotalBytes?: number;
  youngGenBytes?: number;
  idleSeconds: number;
  idleCpuSeconds?: number;
  idleApiPerMin?: number;
  /** of them watch requests (a watch counts when it is opened) */
  idleWatchesPerMin?: number;
  idleProbesAnsweredPerMin?: number;
  idleProbesCountedPerMin?: number;
  /** /cluster/domain-events streams open at the end of the idle window (the responder's count) */
  streamsOpen?: number;
  /** of the probe requests: /cluster/members (the responder's count) */
  idleMembersPerMin?: number;
  /** member events the responder wrote to streams while idle */
  idleStreamEventsPerMin?: number;
  /** membership changes → the status showing them (status-lag.ts) */
  lag?: LagResult;
  idleStatusWrites?: number;
  idleApplies?: number;
  /**
   * The controller restarted on the N settled resources: from its start to every resource reconciled once (its
   * reconcile count reached N with its queue empty), and what it wrote meanwhile.
   */
  syncMs?: number;
  syncApiRequests?: number;
  syncApplies?: number;
  syncStatusWrites?: number;
  /** CPU % (of the whole machine) used by every other process during the idle window */
  othersBusyPercent?: number;
  loadAverage: number;
  exit?: string;
  problems: string[];
}

const CONDITION = 'ResourcesReady';
const conditionTrue = (cb: ClusterBootstrap, type: string) =>
  cb.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

const metricNames = {
  ours: {
    heapUsed: 'pekko_bootstrap_operator_nodejs_heap_size_used_bytes',
    heapTotal: 'pekko_bootstrap_operator_nodejs_heap_size_total_bytes',
    space: 'pekko_bootstrap_operator_nodejs_heap_space_size_total_bytes',
  },
  peer: { heapUsed: 'go_memstats_heap_inuse_bytes', heapTotal: 'go_memstats_heap_sys_bytes', space: '' },
};

export async function runPhase(o: PhaseOptions): Promise<PhaseResult> {
  const label = `${o.subject}-${o.pods}${o.polled ? '-polled' : ''}-n${o.n}`;
  const layout = layoutFor(`${o.runId}${o.subject[0]}${o.pods[0]}${o.polled ? 'p' : ''}`, o.n, o.perNamespace);
  const namespaces = new Set(layout.namespaces);
  const result: PhaseResult = {
    subject: o.subject,
    pods: o.pods,
    ...(o.polled ? { polled: true } : {}),
    n: o.n,
    replicas: o.replicas,
    limitHow: '',
    idleSeconds: o.idleMs / 1000,
    loadAverage: loadAverage(),
    problems: [],
  };
  const say = (m: string) => console.log(`[scale ${label}] ${m}`);

  // Answering pods: every pod of a resource reports one formed cluster; the expected seed is its oldest member.
  const responder = o.pods === 'answering' ? await ResponderProcess.start() : undefined;
  const feed = new PodFeed(responder);
  const waiters = new StatusWaiters();
  let tracker: Tracker | undefined;
  const onPod = (pod: V1Pod, deleted: boolean) => {
    const cluster = feed.onPod(pod, deleted);
    if (cluster) tracker?.recheck(cluster);
  };
  const statusCorrect = (cb: ClusterBootstrap): boolean => {
    if (!conditionTrue(cb, CONDITION)) return false;
    if (o.subject === 'peer') return cb.status?.observedGeneration === cb.metadata.generation;
    const s = cb.status;
    if (s?.readyContactPoints !== o.replicas) return false;
    if (o.pods === 'silent') return s.phase === 'Forming';
    const oldest = feed.oldest(`${cb.metadata.namespace}/${cb.metadata.name}`);
    return s.phase === 'Formed' && s.members === o.replicas && oldest !== undefined && s.seedNode === oldest;
  };

  const limit = memoryLimit(`pbo-bench-${process.pid}-${label}`, o.limitBytes);
  result.limitHow = limit.how;
  let subject: Subject | undefined;
  try {
    await createNamespaces(layout);
    tracker = new Tracker({
      namespaces,
      total: o.n,
      totalPods: o.n * o.replicas,
      statusCorrect,
      onPod,
      onResource: (k, cb, at) => waiters.onResource(k, cb, at),
    });
    await tracker.start();
    const subjectOptions = {
      kind: o.subject,
      kubeconfig: o.identity.kubeconfig,
      limit,
      label: `${label}-${o.runId}`,
      ...(o.peerBinary ? { peerBinary: o.peerBinary } : {}),
      ...(o.scope === 'namespaces' ? { namespaces: layout.namespaces } : {}),
      ...(o.polled ? { env: { STATUS_EVENT_STREAMS: '0' } } : {}),
    };
    subject = await Subject.start(subjectOptions);
    const s = subject;
    result.rssBeforeBytes = memory(s.pid)?.rssBytes;
    say(`ready (RSS ${((result.rssBeforeBytes ?? 0) / 2 ** 20).toFixed(0)} MiB); creating ${o.n} resources`);
    const t0 = Date.now();
    const created = new Map<string, number>();
    await createResources(layout, o.replicas, o.createConcurrency, (k, at) => created.set(k, at));
    result.createsMs = Date.now() - t0;
    const t = tracker;
    const latencies = (done: ReadonlyMap<string, number>) => {
      const l = [...created].map(([k, at]) => (done.get(k) ?? Number.NaN) - at).sort((a, b) => a - b);
      return { p50: percentile(l, 50), p99: percentile(l, 99) };
    };
    const until = async (what: string, done: () => boolean | Promise<boolean>) => {
      try {
        await waitFor(
          () => {
            const current = subject;
            if (!current?.running) throw new Error(`the ${o.subject} process exited`);
            return done();
          },
          { what, timeoutMs: o.timeoutMs, intervalMs: 250 },
        );
        return true;
      } catch (err) {
        result.problems.push((err as Error).message);
        return false;
      }
    };
    if (await until('every resource with its four children', () => t.childrenComplete)) {
      result.childrenMs = Math.max(...t.childrenAt.values()) - t0;
      ({ p50: result.childrenP50Ms, p99: result.childrenP99Ms } = latencies(t.childrenAt));
      say(`children: ${result.childrenMs} ms (creates took ${result.createsMs} ms)`);
    }
    if (await until('every status correct', () => t.statusesCorrect)) {
      result.statusMs = (t.allCorrectAt as number) - t0;
      ({ p50: result.statusP50Ms, p99: result.statusP99Ms } = latencies(t.correctAt));
      say(`statuses: ${result.statusMs} ms`);
    } else {
      const bad = t.incorrect().slice(0, 3);
      const brief = (cb: ClusterBootstrap) => {
        const { phase, readyContactPoints, members, seedNode, message } = cb.status ?? {};
        return `${cb.metadata.namespace}/${cb.metadata.name}: ${JSON.stringify({ phase, readyContactPoints, members, seedNode, message })}`;
      };
      result.problems.push(`${t.incorrect().length} not correct, e.g. ${bad.map(brief).join('; ')}`);
    }
    // Nothing may change in the idle window: the controller manager must be done creating pods too (the peer's
    // status does not wait for them, and it reconciles on every Deployment status change).
    if (await until(`all ${o.n * o.replicas} pods Ready`, () => t.allPodsReadyAt !== undefined)) {
      result.podsReadyMs = (t.allPodsReadyAt as number) - t0;
    }
    if (s.running) await measureIdle(o, s, t, responder, result, say);
    if (s.running && responder && o.lag.samples > 0) {
      const lagOptions = { ...o.lag, holdMs: 1000, timeoutMs: 90_000, replicas: o.replicas };
      try {
        result.lag = await measureStatusLag(lagOptions, { responder, feed, tracker: t, waiters }, say);
        const missed = result.lag.removed.missed + result.lag.up.missed;
        if (missed) result.problems.push(`status lag: ${missed} changes not seen within 90 s`);
      } catch (err) {
        result.problems.push(`status lag: ${(err as Error).message}`);
      }
      // Back to where the idle window left it before the restart measures its sync.
      await until('every status correct again after the status lag samples', () => t.allCorrectNow);
    }
    if (s.running) {
      const m = await s.metrics().catch(() => [] as Sample[]);
      const names = metricNames[o.subject];
      result.heapUsedBytes = metric(m, names.heapUsed);
      result.heapTotalBytes = metric(m, names.heapTotal);
      if (names.space) result.youngGenBytes = metric(m, names.space, { space: 'new' });
      result.peakRssBytes = memory(s.pid)?.peakRssBytes;
      // The initial sync: the same resources, a controller that has seen none of them.
      await s.stop();
      subject = undefined;
      const apiBefore = await o.identity.apiRequests();
      const writesBefore = t.cbWrites;
      const t1 = Date.now();
      const again = await Subject.start({ ...subjectOptions, label: `${label}-${o.runId}-restart` });
      subject = again;
      if (
        await until(`the restarted ${o.subject} reconciled all ${o.n}`, async () => synced(o, await again.metrics()))
      ) {
        result.syncMs = Date.now() - t1;
        const m2 = await again.metrics().catch(() => [] as Sample[]);
        // A labelled counter has no sample before its first increment: absent is none.
        result.syncApplies = o.subject === 'ours' ? sum(m2, 'pekko_bootstrap_operator_applies_total') : undefined;
        result.syncApiRequests = (await o.identity.apiRequests()).all - apiBefore.all;
        result.syncStatusWrites = t.cbWrites - writesBefore;
        say(
          `restarted: all ${o.n} reconciled ${result.syncMs} ms after the start, ${result.syncApplies ?? 'n/a'} applies`,
        );
      }
    }
  } finally {
    const usage = limit.usage();
    result.peakChargedBytes = usage?.peakChargedBytes;
    result.oomKills = usage?.oomKills;
    if (subject) {
      result.exit = subject.running ? undefined : await subject.exited;
      if (result.exit) {
        const why = usage?.oomKills
          ? `OOM-killed by the memory cgroup (limit ${Math.round(o.limitBytes / 2 ** 20)} MiB)`
          : `last log line: ${subject.tail(1).slice(0, 300)}`;
        result.problems.push(`the ${o.subject} process ended early (${result.exit}); ${why}`);
      }
      await subject.stop();
    }
    limit.remove();
    await tracker?.stop();
    await responder?.close();
    say('deleting its namespaces');
    await deleteRuns(layout.runId);
  }
  return result;
}

/** Whether a freshly started controller has reconciled every resource once: N reconciles, its queue empty. */
function synced(o: PhaseOptions, m: readonly Sample[]): boolean {
  const [reconciles, depth] =
    o.subject === 'ours'
      ? [
          metric(m, 'pekko_bootstrap_operator_reconcile_duration_seconds_count', { controller: 'clusterbootstrap' }),
          metric(m, 'pekko_bootstrap_operator_queue_depth', { controller: 'clusterbootstrap' }),
        ]
      : [
          metric(m, 'controller_runtime_reconcile_total', { controller: 'clusterbootstrap' }),
          metric(m, 'workqueue_depth', { name: 'clusterbootstrap' }),
        ];
  return reconciles !== undefined && reconciles >= o.n && depth === 0;
}
