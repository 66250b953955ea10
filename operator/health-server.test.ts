import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHealthServer, listen } from './health-server.ts';
import { OperatorMetrics } from './metrics.ts';

test('healthz, readyz following the readiness source, and metrics with the operator names', async () => {
  const metrics = new OperatorMetrics();
  let ready = { ok: false, reason: 'informers not synced: pods' };
  const server = createHealthServer({ registry: metrics.registry, ready: () => ready });
  const port = await listen(server, '127.0.0.1', 0);
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, text: await res.text() };
  };
  try {
    assert.is((await get('/healthz')).status, 200);
    const notReady = await get('/readyz');
    assert.is(notReady.status, 503);
    assert.match(notReady.text, 'informers not synced: pods');
    ready = { ok: true, reason: 'ok' };
    assert.is((await get('/readyz')).status, 200);
    metrics.reconciled('clusterbootstrap', 'success', 0.02);
    metrics.applied('Deployment');
    metrics.watchRestarted('pods/shop');
    metrics.trackQueue('clusterbootstrap', () => 7);
    metrics.setLeader(true);
    const text = (await get('/metrics')).text;
    assert.match(
      text,
      'pekko_bootstrap_operator_reconcile_duration_seconds_count{controller="clusterbootstrap",result="success"} 1',
    );
    assert.match(text, 'pekko_bootstrap_operator_applies_total{kind="Deployment"} 1');
    assert.match(text, 'pekko_bootstrap_operator_watch_restarts_total{resource="pods/shop"} 1');
    assert.match(text, 'pekko_bootstrap_operator_queue_depth{controller="clusterbootstrap"} 7');
    assert.match(text, 'pekko_bootstrap_operator_leader 1');
    assert.match(text, 'pekko_bootstrap_operator_process_cpu_seconds_total');
    assert.is((await get('/nope')).status, 404);
  } finally {
    server.close();
  }
});

test.run();
