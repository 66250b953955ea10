// The operator through an API server restart on the real local cluster: its watches fail and restart while the API
// server is down, and a change made after the restart is reconciled. Its own operator process and namespace; the
// operator's other behaviour is in operator.e2e.ts.
// test-runner: alone (it restarts the shared API server, which every other suite's operator would see)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { killApiserver, startApiserver } from '../../local-cluster/restart-apiserver.ts';
import {
  AGENTS,
  applyAgents,
  deployment,
  e2eEnv,
  ensureCrd,
  loudly,
  waitChildren,
  waitFor,
  waitForHealthyCluster,
  withOperator,
} from '../lib/index.ts';

test.before(loudly('apply the CRD', ensureCrd));

test('the API server is killed and restarted: the operator recovers and reconciles a change made afterwards', async () => {
  await withOperator(
    async (ns, op) => {
      await applyAgents(ns, { replicas: 1 });
      await waitChildren(ns, AGENTS);
      const restartsBefore = await op.metric('pekko_bootstrap_operator_watch_restarts_total');
      await killApiserver(e2eEnv.clusterDir);
      try {
        await waitFor(async () => (await op.metric('pekko_bootstrap_operator_watch_restarts_total')) > restartsBefore, {
          what: "the operator's watches to fail and restart while the API server is down",
          timeoutMs: 30_000,
        });
      } finally {
        // Whatever happened, the cluster is put back before the test ends: the suites after this one need it, and
        // the controller manager and the kubelet stand-in reconnect with their own backoff.
        await startApiserver(e2eEnv.clusterDir);
        await waitForHealthyCluster();
      }
      await applyAgents(ns, { replicas: 3 });
      await waitFor(async () => (await deployment(ns, AGENTS))?.spec?.replicas === 3, {
        what: 'the change after the restart reconciled',
        timeoutMs: 90_000,
      });
      assert.is((await op.get('/readyz')).status, 200);
    },
    {
      prefix: 'apiserver',
      dump: { objects: ['clusterbootstraps', 'deployments', 'serviceaccounts', 'roles', 'rolebindings'] },
    },
  );
});

test.run();
