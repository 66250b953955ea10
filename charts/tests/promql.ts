// Checks PromQL the chart ships (alert rules, dashboard panels) with the Prometheus project's own grammar,
// @prometheus-io/lezer-promql (what Prometheus' web UI parses queries with), and against the operator's real metrics:
// every metric a query selects must be one the operator exports, and every label it matches on one the metric has
// (or one Prometheus adds when it scrapes). The grammar checks syntax, not types; the metric check catches what a
// syntax check cannot: a renamed or misspelt metric or label, which would make an alert silently never fire.
import { parser } from '@prometheus-io/lezer-promql';
import type { Registry } from 'prom-client';
import { OperatorMetrics } from '../../operator/metrics.ts';
import { ClusterMetrics } from '../../operator/status/cluster-metrics.ts';

/** Labels a scrape adds to every series (the ServiceMonitor's target labels). */
const SCRAPE_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'endpoint', 'container', '__name__', 'le'];

/** Every series name the operator exports, with the labels of each (histograms: _bucket, _count, _sum). */
export function operatorSeries(): Map<string, Set<string>> {
  const metrics = new OperatorMetrics();
  new ClusterMetrics(metrics.registry);
  return seriesOf(metrics.registry);
}

function seriesOf(registry: Registry): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string };
    const labels = new Set([...((m as unknown as { labelNames?: string[] }).labelNames ?? []), ...SCRAPE_LABELS]);
    const names = type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
    for (const n of names) out.set(n, labels);
  }
  return out;
}

/**
 * What is wrong with `expr`: syntax errors (with the text around them), metrics the operator does not export, and
 * labels those metrics do not have. Empty when it is fine.
 */
export function promqlProblems(expr: string, series: Map<string, Set<string>> = operatorSeries()): string[] {
  const problems: string[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) {
        problems.push(`syntax error at ${n.from}: ...${expr.slice(Math.max(0, n.from - 20), n.from + 20)}...`);
        return;
      }
      if (n.name !== 'VectorSelector') return;
      const node = n.node;
      const metric = node.getChild('Identifier');
      const name = metric ? expr.slice(metric.from, metric.to) : undefined;
      if (!name) return; // a selector by labels only
      const labels = series.get(name);
      if (!labels) {
        problems.push(`unknown metric ${name}`);
        return;
      }
      const matchers = node.getChild('LabelMatchers');
      for (let m = matchers?.firstChild; m; m = m.nextSibling) {
        const label = m.getChild('LabelName');
        const l = label ? expr.slice(label.from, label.to) : undefined;
        if (l && !labels.has(l)) problems.push(`metric ${name} has no label ${l}`);
      }
    },
  });
  return problems;
}

/** The PromQL a Grafana dashboard holds: panel targets and label_values() queries, with its variables filled in. */
export function dashboardQueries(dashboard: {
  panels?: { title?: string; targets?: { expr?: string }[] }[];
  templating?: { list?: { name?: string; query?: unknown }[] };
}): { where: string; expr: string }[] {
  const fill = (e: string) => e.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m');
  const out: { where: string; expr: string }[] = [];
  for (const p of dashboard.panels ?? []) {
    for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel ${p.title}`, expr: fill(t.expr) });
  }
  for (const v of dashboard.templating?.list ?? []) {
    const q = typeof v.query === 'object' && v.query ? (v.query as { query?: string }).query : undefined;
    const m = q ? /^label_values\((.*),\s*\w+\)$/.exec(q) : null;
    if (m?.[1]) out.push({ where: `variable ${v.name}`, expr: m[1] });
  }
  return out;
}
