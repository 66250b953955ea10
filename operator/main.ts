// The operator's single wiring point: configuration, logger, Kubernetes client, informers, work queues,
// reconcilers, leader election, the health/metrics server and the process's lifecycle. Nothing else creates
// real clients or reads the environment.
//
// Lifecycle: informers start at once (on every replica, so a follower's cache is warm); the controllers' workers
// start when this replica leads (or at once without leader election) and its caches have synced (kernel/manager.ts).
// SIGTERM/SIGINT: stop taking work, finish the reconciles in flight, release the lease, exit 0. A lost lease (another
// holder, or no renewal by the renew deadline, whatever call is in flight: kernel/leader.ts): exit 1 at once.
// Caches not synced within cacheSyncTimeout: release the lease, exit 1. An unhandled rejection or exception: log and
// exit 1 rather than run on in an unknown state.
import { KubeConfig } from '@kubernetes/client-node';
import { systemClock } from '../core/runtime/clock.ts';
import { createLogger, logStartFailure } from '../core/runtime/logger.ts';
import { loadConfig, type OperatorConfig } from './config.ts';
import { makeClusterBootstrapReconciler } from './controller/cluster-bootstrap.ts';
import { EventRecorder } from './controller/event-recorder.ts';
import { makeNamespaceRbacReconciler } from './controller/namespace-rbac.ts';
import { RbacConflicts } from './controller/rbac-state.ts';
import { SplitBrain } from './controller/split-brain-lease.ts';
import { SplitRepair } from './controller/split-repair.ts';
import { StatusWriter } from './controller/status-writer.ts';
import { createHealthServer, listen } from './health-server.ts';
import { OperatorInformers } from './informers.ts';
import { ExponentialRateLimiter } from './kernel/backoff.ts';
import { Controller } from './kernel/controller.ts';
import { LeaderElector } from './kernel/leader.ts';
import { Manager } from './kernel/manager.ts';
import { WorkQueue } from './kernel/queue.ts';
import { podListReview } from './kube/access-review.ts';
import { RealKubeClient, RealLeaseApi } from './kube/client.ts';
import { sharedConnections } from './kube/configuration.ts';
import { RealPodPatcher } from './kube/pod-patcher.ts';
import { RealSbrLeases } from './kube/sbr-leases.ts';
import { Lifecycle } from './lifecycle/lifecycle.ts';
import { OperatorMetrics } from './metrics.ts';
import { openEventStream } from './status/event-stream.ts';
import { probingObserver } from './status/observer.ts';
import { httpGet } from './status/probe-http.ts';

/** Per-key retry backoff: 200 ms doubling to 5 min, plus up to 20 % jitter. */
const RETRY_BACKOFF = { baseMs: 200, maxMs: 5 * 60_000, jitter: 0.2 };

export async function main(config: OperatorConfig): Promise<void> {
  const log = createLogger({ level: config.logLevel, name: 'pekko-bootstrap-operator' });
  const exit = (code: number) => {
    // pino writes synchronously to stdout by default, so the last lines are out before we exit.
    process.exit(code);
  };
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'unhandled rejection, exiting');
    exit(1);
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception, exiting');
    exit(1);
  });

  const kc = new KubeConfig();
  kc.loadFromDefault();
  const clock = systemClock;
  const metrics = new OperatorMetrics();
  const apiConfig = sharedConnections(kc);
  const client = new RealKubeClient(apiConfig);
  const events = new EventRecorder({ client, clock, instance: config.podName, log });
  const conflicts = new RbacConflicts();
  const status = new StatusWriter(client);

  const cbQueue = new WorkQueue(clock, new ExponentialRateLimiter(RETRY_BACKOFF));
  const rbacQueue = new WorkQueue(clock, new ExponentialRateLimiter(RETRY_BACKOFF));
  metrics.trackQueue('clusterbootstrap', () => cbQueue.len());
  metrics.trackQueue('namespace-rbac', () => rbacQueue.len());

  const informers = new OperatorInformers({
    kc,
    apiConfig,
    clock,
    log,
    metrics,
    namespaces: config.watchNamespaces,
    resyncMs: config.resyncMs,
    enqueueClusterBootstrap: (key) => cbQueue.add(key),
    enqueueNamespaceRbac: (ns) => rbacQueue.add(ns),
    isOwnStatusWrite: (cb) => status.isOwnWrite(cb),
  });

  // The observed cluster status: probes the pods' management endpoints and asks for a reconcile when an answer
  // changes.
  const observer = probingObserver({
    get: httpGet,
    clock,
    enqueue: (key) => cbQueue.add(key),
    registry: metrics.registry,
    openStream: openEventStream,
    maxStreams: config.statusEventStreams,
    reviewPodList: podListReview(apiConfig),
  });
  const onApply = (kind: string) => metrics.applied(kind);

  const controllers = [
    new Controller({
      name: 'clusterbootstrap',
      queue: cbQueue,
      concurrency: config.clusterBootstrapConcurrency,
      log,
      clock,
      observer: metrics,
      reconcile: makeClusterBootstrapReconciler({
        caches: informers.caches,
        client,
        events,
        status,
        observer,
        lifecycle: new Lifecycle({ patcher: new RealPodPatcher(apiConfig), clock }),
        conflicts,
        clock,
        enqueueNamespaceRbac: (ns) => rbacQueue.add(ns),
        onApply,
        splitRepair: new SplitRepair({ client, events, clock }),
        splitBrain: new SplitBrain({ leases: new RealSbrLeases(apiConfig), client, caches: informers.caches, clock }),
      }),
    }),
    new Controller({
      name: 'namespace-rbac',
      queue: rbacQueue,
      concurrency: config.rbacConcurrency,
      log,
      clock,
      observer: metrics,
      reconcile: makeNamespaceRbacReconciler({
        caches: informers.caches,
        client,
        events,
        conflicts,
        enqueueClusterBootstrap: (key) => cbQueue.add(key),
        onApply,
      }),
    }),
  ];

  let shuttingDown = false;
  const server = createHealthServer({
    registry: metrics.registry,
    ready: () => {
      if (shuttingDown) return { ok: false, reason: 'shutting down' };
      const unsynced = informers.unsynced();
      return unsynced.length
        ? { ok: false, reason: `informers not synced: ${unsynced.join(', ')}` }
        : { ok: true, reason: 'ok' };
    },
  });
  const port = await listen(server, config.httpHost, config.httpPort);
  log.info(
    {
      host: config.httpHost,
      port,
      namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all',
      leaderElection: config.leaderElection,
      identity: config.podName,
    },
    'operator starting',
  );

  informers.start();

  let elector: LeaderElector | undefined;
  const manager = new Manager({
    caches: informers,
    controllers,
    clock,
    log,
    cacheSyncTimeoutMs: config.cacheSyncTimeoutMs,
    exit,
    release: () => elector?.release() ?? Promise.resolve(),
    onLeading: (leading) => metrics.setLeader(leading),
    shuttingDown: () => shuttingDown,
  });
  if (config.leaderElection) {
    elector = new LeaderElector({
      namespace: config.leaderElectionNamespace,
      name: config.leaderElectionId,
      identity: config.podName,
      leaseApi: new RealLeaseApi(apiConfig),
      clock,
      log,
      onStartedLeading: () => void manager.lead(),
      onStoppedLeading: (reason) => manager.lost(reason),
    });
    elector.start();
  } else {
    void manager.lead();
  }

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down: finishing reconciles in flight');
    const guard = setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out, exiting');
      exit(1);
    }, config.shutdownTimeoutMs);
    guard.unref();
    await Promise.all(controllers.map((c) => c.stop()));
    await events.flush();
    await elector?.release();
    await informers.stop();
    // close() waits for open connections: a scraper's keep-alive connection must not hold the exit.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    log.info({}, 'shut down');
    exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Loads the configuration and runs the operator; an invalid configuration exits with 2. */
export async function start(): Promise<void> {
  let config: OperatorConfig;
  try {
    config = loadConfig();
  } catch (err) {
    logStartFailure('pekko-bootstrap-operator', 'invalid configuration', { err: String(err) });
    process.exit(2);
  }
  await main(config);
}

if (import.meta.main) await start();
