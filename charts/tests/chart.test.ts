// The chart as a whole: helm lint, the CRD copy, and values.schema.json.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHART, FULL_VALUES, helm, ROOT } from './helm.ts';

test('helm lint --strict passes with the default values', () => {
  const r = helm(['lint', '--strict', CHART]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, '1 chart(s) linted, 0 chart(s) failed');
});

test('helm lint --strict passes with the full values file', () => {
  const r = helm(['lint', '--strict', CHART, '-f', FULL_VALUES]);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

for (const file of ['clusterbootstrap.yaml', 'clustermembership.yaml']) {
  test(`the chart's crds/${file} is byte for byte crds/${file} (make generate copies it)`, () => {
    const repo = readFileSync(`${ROOT}crds/${file}`);
    const chart = readFileSync(`${CHART}/crds/${file}`);
    assert.ok(repo.length > 0);
    assert.ok(repo.equals(chart), `charts/pekko-bootstrap-operator/crds/${file} differs: run make generate`);
  });
}

// Each bad value must be refused by values.schema.json, naming the field.
const BAD: Array<[string, string]> = [
  ['replicaCount=-1', '/replicaCount'],
  ['logLevel=loud', '/logLevel'],
  ['image.pullPolicy=Sometimes', '/image/pullPolicy'],
  ['httpPort=70000', '/httpPort'],
  ['watchNamespaces[0]=Not_A_Namespace', '/watchNamespaces/0'],
  ['networkPolicy.managementPorts[0]=0', '/networkPolicy/managementPorts/0'],
  ['metrics.serviceMonitor.interval=often', '/metrics/serviceMonitor/interval'],
  ['replicaCont=2', 'replicaCont'],
];

for (const [set, field] of BAD) {
  test(`values.schema.json rejects ${set}`, () => {
    const r = helm(['template', 'x', CHART, '--set', set]);
    assert.is.not(r.code, 0, `rendered although ${set} is invalid`);
    assert.match(r.stderr, "values don't meet the specifications of the schema");
    assert.match(r.stderr, field);
  });
}

test('a ServiceMonitor without the metrics Service is refused with a message', () => {
  const r = helm([
    'template',
    'x',
    CHART,
    '--set',
    'metrics.serviceMonitor.enabled=true,metrics.service.enabled=false',
  ]);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'metrics.serviceMonitor.enabled needs metrics.service.enabled');
});

test.run();
