// Per-cluster gauges: what `kubectl get cb` shows, for dashboards and alerts (the chart's PrometheusRule and Grafana
// dashboard are built on them: docs/status.md, "Gauges").
import { Counter, Gauge, type Registry } from 'prom-client';
import { ConditionType, PHASES, type Phase } from '../../core/api/types.ts';
import type { ConditionInput } from './conditions.ts';

/** What the gauges read from an observation. */
export interface ClusterGaugeInput {
  phase: Phase;
  members?: number;
  readyContactPoints: number;
  /** The clusters the pods report (their count), and the unreachable members of each. */
  clusters?: readonly { unreachable: readonly string[] }[];
  conditions?: readonly ConditionInput[];
}

const PREFIX = 'pekko_bootstrap_operator_cluster_';

export class ClusterMetrics {
  private readonly members: Gauge<'namespace' | 'name'>;
  private readonly readyContactPoints: Gauge<'namespace' | 'name'>;
  private readonly phase: Gauge<'namespace' | 'name' | 'phase'>;
  private readonly reportedClusters: Gauge<'namespace' | 'name'>;
  private readonly unreachable: Gauge<'namespace' | 'name'>;
  private readonly formedReason: Gauge<'namespace' | 'name' | 'reason'>;
  /** The ClusterFormed reason last set per resource, so that its series can be removed when it changes. */
  private readonly reasons = new Map<string, string>();
  readonly probes: Counter<'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['namespace', 'name'] as const;
    this.members = new Gauge({ name: `${PREFIX}members`, help: 'Up members the nodes report.', labelNames, registers });
    this.readyContactPoints = new Gauge({
      name: `${PREFIX}ready_contact_points`,
      help: 'Contact points whose pod is Ready.',
      labelNames,
      registers,
    });
    this.phase = new Gauge({
      name: `${PREFIX}phase`,
      help: '1 for the phase the cluster is in, 0 for the others.',
      labelNames: ['namespace', 'name', 'phase'],
      registers,
    });
    this.reportedClusters = new Gauge({
      name: `${PREFIX}reported_clusters`,
      help: 'Distinct clusters the pods report (2 or more: a split; 0 before one forms).',
      labelNames,
      registers,
    });
    this.unreachable = new Gauge({
      name: `${PREFIX}unreachable_members`,
      help: 'Members the pods report unreachable (across the clusters they report).',
      labelNames,
      registers,
    });
    this.formedReason = new Gauge({
      name: `${PREFIX}formed_reason`,
      help: "1, labelled with the ClusterFormed condition's reason (Formed, or why not: PodsNotRunning, ...).",
      labelNames: ['namespace', 'name', 'reason'],
      registers,
    });
    this.probes = new Counter({
      name: 'pekko_bootstrap_operator_probes_total',
      help: "Probes of pods' management endpoints, by result (ok, error).",
      labelNames: ['result'],
      registers,
    });
  }

  set(namespace: string, name: string, s: ClusterGaugeInput): void {
    this.members.set({ namespace, name }, s.members ?? 0);
    this.readyContactPoints.set({ namespace, name }, s.readyContactPoints);
    for (const p of PHASES) this.phase.set({ namespace, name, phase: p }, p === s.phase ? 1 : 0);
    this.reportedClusters.set({ namespace, name }, s.clusters?.length ?? 0);
    const unreachable = new Set((s.clusters ?? []).flatMap((c) => c.unreachable));
    this.unreachable.set({ namespace, name }, unreachable.size);
    const reason = s.conditions?.find((c) => c.type === ConditionType.ClusterFormed)?.reason;
    const key = `${namespace}/${name}`;
    const was = this.reasons.get(key);
    if (was !== undefined && was !== reason) this.formedReason.remove({ namespace, name, reason: was });
    if (reason !== undefined) {
      this.formedReason.set({ namespace, name, reason }, 1);
      this.reasons.set(key, reason);
    } else this.reasons.delete(key);
  }

  remove(namespace: string, name: string): void {
    this.members.remove({ namespace, name });
    this.readyContactPoints.remove({ namespace, name });
    for (const phase of PHASES) this.phase.remove({ namespace, name, phase });
    this.reportedClusters.remove({ namespace, name });
    this.unreachable.remove({ namespace, name });
    const key = `${namespace}/${name}`;
    const reason = this.reasons.get(key);
    if (reason !== undefined) this.formedReason.remove({ namespace, name, reason });
    this.reasons.delete(key);
  }
}
