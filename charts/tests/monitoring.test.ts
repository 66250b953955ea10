// The chart's alerts and dashboard (metrics.prometheusRule, metrics.dashboard): off by default; when on, every PromQL
// expression parses with the Prometheus grammar and selects only metrics and labels the operator exports
// (promql.ts), the alerts carry the durations and labels from the values, and the dashboard is valid JSON in a
// ConfigMap the Grafana sidecar finds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type K8sObject, NAMESPACE, ofKind, one, RELEASE, render } from './helm.ts';
import { dashboardQueries, operatorSeries, promqlProblems } from './promql.ts';

const series = operatorSeries();
const ON = ['--set', 'metrics.prometheusRule.enabled=true,metrics.dashboard.enabled=true'];
const rulesOf = (objs: K8sObject[]) => one(objs, 'PrometheusRule').spec.groups.flatMap((g: K8sObject) => g.rules);

test('off by default: no PrometheusRule, no dashboard ConfigMap', () => {
  const objs = render();
  assert.is(ofKind(objs, 'PrometheusRule').length, 0);
  assert.is(ofKind(objs, 'ConfigMap').length, 0);
});

test('the checker itself: it finds a syntax error, an unknown metric and an unknown label', () => {
  assert.equal(promqlProblems('max by (namespace) (pekko_bootstrap_operator_cluster_members) > 0', series), []);
  assert.match(
    promqlProblems('sum(rate(pekko_bootstrap_operator_probes_total[5m]) /', series)[0] ?? '',
    'syntax error',
  );
  assert.equal(promqlProblems('pekko_bootstrap_operator_cluster_member > 0', series), [
    'unknown metric pekko_bootstrap_operator_cluster_member',
  ]);
  assert.equal(promqlProblems('pekko_bootstrap_operator_cluster_members{phase="Formed"}', series), [
    'metric pekko_bootstrap_operator_cluster_members has no label phase',
  ]);
  assert.ok(series.has('pekko_bootstrap_operator_reconcile_duration_seconds_bucket'), 'histogram series');
});

test('four alerts: not formed, split, unreachable, not reconciling; each expression valid on real metrics', () => {
  const rules = rulesOf(render(ON));
  assert.equal(
    rules.map((r: K8sObject) => r.alert),
    [
      'PekkoClusterNotFormed',
      'PekkoClusterSplit',
      'PekkoClusterMembersUnreachable',
      'PekkoBootstrapOperatorNotReconciling',
    ],
  );
  for (const r of rules) {
    assert.equal(promqlProblems(r.expr, series), [], `${r.alert}: ${r.expr}`);
    assert.match(r.expr, `job="${RELEASE}-pekko-bootstrap-operator-metrics"`, `${r.alert} selects the operator's job`);
    assert.ok(['warning', 'critical'].includes(r.labels.severity), r.alert);
    assert.ok(r.annotations.summary && r.annotations.description, r.alert);
  }
  const byName = Object.fromEntries(rules.map((r: K8sObject) => [r.alert, r]));
  assert.equal(
    [
      'PekkoClusterNotFormed',
      'PekkoClusterSplit',
      'PekkoClusterMembersUnreachable',
      'PekkoBootstrapOperatorNotReconciling',
    ].map((a) => byName[a].for),
    ['10m', '2m', '5m', '10m'],
  );
});

test('the annotations are Prometheus templates Helm left alone, and the query in one of them is valid', () => {
  const rules = rulesOf(render(ON));
  const notFormed = rules.find((r: K8sObject) => r.alert === 'PekkoClusterNotFormed');
  assert.match(notFormed.annotations.summary, 'ClusterBootstrap {{ $labels.namespace }}/{{ $labels.name }}');
  for (const r of rules) {
    for (const text of Object.values(r.annotations) as string[]) {
      assert.is(text.split('{{').length, text.split('}}').length, `balanced braces in ${r.alert}: ${text}`);
    }
  }
  const query = /printf "([^"]+)"/.exec(notFormed.annotations.description)?.[1] ?? '';
  assert.match(query, 'pekko_bootstrap_operator_cluster_formed_reason');
  assert.equal(promqlProblems(query.replaceAll('%s', 'x'), series), []);
});

test('values: durations, labels, an own selector', () => {
  const objs = render([
    ...ON,
    '--set',
    'metrics.prometheusRule.notFormedFor=3m,metrics.prometheusRule.splitFor=30s',
    '--set',
    'metrics.prometheusRule.labels.release=prometheus,metrics.prometheusRule.additionalAlertLabels.team=platform',
    '--set-string',
    'metrics.prometheusRule.selector=service="pbo"',
  ]);
  const rule = one(objs, 'PrometheusRule');
  assert.is(rule.metadata.labels.release, 'prometheus');
  assert.is(rule.metadata.namespace, NAMESPACE);
  const rules = rulesOf(objs);
  assert.is(rules[0].for, '3m');
  assert.is(rules[1].for, '30s');
  for (const r of rules) {
    assert.is(r.labels.team, 'platform');
    assert.match(r.expr, 'service="pbo"');
    assert.not.match(r.expr, 'job=');
    assert.equal(promqlProblems(r.expr, series), [], r.expr);
  }
});

test('the dashboard: JSON in a ConfigMap labelled for the Grafana sidecar; every query valid on real metrics', () => {
  const cm = one(render(ON), 'ConfigMap', `${RELEASE}-pekko-bootstrap-operator-dashboard`);
  assert.is(cm.metadata.labels.grafana_dashboard, '1');
  assert.is(cm.metadata.namespace, NAMESPACE);
  const dash = JSON.parse(cm.data['pekko-bootstrap-operator.json']);
  assert.is(dash.uid, 'pekko-bootstrap-operator');
  const queries = dashboardQueries(dash);
  assert.ok(queries.length >= 12, `${queries.length} queries`);
  for (const q of queries) assert.equal(promqlProblems(q.expr, series), [], `${q.where}: ${q.expr}`);
  const used = new Set(queries.flatMap((q) => q.expr.match(/pekko_bootstrap_operator_\w+/g) ?? []));
  for (const gauge of [
    'pekko_bootstrap_operator_cluster_phase',
    'pekko_bootstrap_operator_cluster_members',
    'pekko_bootstrap_operator_cluster_reported_clusters',
    'pekko_bootstrap_operator_cluster_unreachable_members',
    'pekko_bootstrap_operator_cluster_formed_reason',
    'pekko_bootstrap_operator_leader',
  ]) {
    assert.ok(used.has(gauge), `the dashboard shows ${gauge}`);
  }
  const ids = dash.panels.map((p: K8sObject) => p.id);
  assert.is(new Set(ids).size, ids.length, 'panel ids are unique');
  const elsewhere = one(
    render([...ON, '--set', 'metrics.dashboard.namespace=monitoring,metrics.dashboard.labels.grafana_dashboard=yes']),
    'ConfigMap',
  );
  assert.is(elsewhere.metadata.namespace, 'monitoring');
  assert.is(elsewhere.metadata.labels.grafana_dashboard, 'yes');
});

test("the ServiceMonitor keeps the gauges' own namespace label (honorLabels)", () => {
  const sm = one(render(['--set', 'metrics.serviceMonitor.enabled=true']), 'ServiceMonitor');
  assert.is(sm.spec.endpoints[0].honorLabels, true);
});

test.run();
