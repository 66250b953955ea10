// The operator's Prometheus metrics, on one registry that /metrics serves. Names are documented in docs/operator.md.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ControllerObserver, ReconcileOutcome } from './kernel/controller.ts';

export const METRIC_PREFIX = 'pekko_bootstrap_operator_';

export class OperatorMetrics implements ControllerObserver {
  readonly registry = new Registry();
  private readonly reconcileDuration: Histogram<'controller' | 'result'>;
  private readonly watchRestarts: Counter<'resource'>;
  private readonly applies: Counter<'kind'>;
  private readonly leader: Gauge;
  private readonly depthSources = new Map<string, () => number>();
  private readonly syncSources = new Map<string, () => boolean>();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    this.reconcileDuration = new Histogram({
      name: `${METRIC_PREFIX}reconcile_duration_seconds`,
      help: 'Time per reconcile, by controller and result (success, requeue, error, terminal).',
      labelNames: ['controller', 'result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.watchRestarts = new Counter({
      name: `${METRIC_PREFIX}watch_restarts_total`,
      help: 'Informer restarts after a watch or list error, by resource.',
      labelNames: ['resource'],
      registers,
    });
    this.applies = new Counter({
      name: `${METRIC_PREFIX}applies_total`,
      help: 'Server-side apply calls, by kind.',
      labelNames: ['kind'],
      registers,
    });
    const depthSources = this.depthSources;
    // Gauges read at scrape time, from the sources registered below.
    new Gauge({
      name: `${METRIC_PREFIX}queue_depth`,
      help: 'Keys waiting in the work queue, by controller.',
      labelNames: ['controller'],
      registers,
      collect() {
        for (const [controller, depth] of depthSources) this.set({ controller }, depth());
      },
    });
    const syncSources = this.syncSources;
    new Gauge({
      name: `${METRIC_PREFIX}informer_synced`,
      help: '1 once the informer has listed and is watching, by resource.',
      labelNames: ['resource'],
      registers,
      collect() {
        for (const [resource, synced] of syncSources) this.set({ resource }, synced() ? 1 : 0);
      },
    });
    this.leader = new Gauge({
      name: `${METRIC_PREFIX}leader`,
      help: '1 while this replica holds the leader lease (or runs without leader election).',
      registers,
    });
  }

  reconciled(controller: string, outcome: ReconcileOutcome, seconds: number): void {
    this.reconcileDuration.observe({ controller, result: outcome }, seconds);
  }

  watchRestarted(resource: string): void {
    this.watchRestarts.inc({ resource });
  }

  applied(kind: string): void {
    this.applies.inc({ kind });
  }

  setLeader(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  trackQueue(controller: string, depth: () => number): void {
    this.depthSources.set(controller, depth);
  }

  trackInformer(resource: string, synced: () => boolean): void {
    this.syncSources.set(resource, synced);
  }
}
