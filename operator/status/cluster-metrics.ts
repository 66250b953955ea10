// Per-cluster gauges: what `kubectl get cb` shows, for dashboards and alerts.
import { Counter, Gauge, type Registry } from 'prom-client';
import { PHASES, type Phase } from '../../core/api/types.ts';

const PREFIX = 'pekko_bootstrap_operator_cluster_';

export class ClusterMetrics {
  private readonly members: Gauge<'namespace' | 'name'>;
  private readonly readyContactPoints: Gauge<'namespace' | 'name'>;
  private readonly phase: Gauge<'namespace' | 'name' | 'phase'>;
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
    this.probes = new Counter({
      name: 'pekko_bootstrap_operator_probes_total',
      help: "Probes of pods' management endpoints, by result (ok, error).",
      labelNames: ['result'],
      registers,
    });
  }

  set(namespace: string, name: string, s: { phase: Phase; members?: number; readyContactPoints: number }): void {
    this.members.set({ namespace, name }, s.members ?? 0);
    this.readyContactPoints.set({ namespace, name }, s.readyContactPoints);
    for (const p of PHASES) this.phase.set({ namespace, name, phase: p }, p === s.phase ? 1 : 0);
  }

  remove(namespace: string, name: string): void {
    this.members.remove({ namespace, name });
    this.readyContactPoints.remove({ namespace, name });
    for (const phase of PHASES) this.phase.remove({ namespace, name, phase });
  }
}
