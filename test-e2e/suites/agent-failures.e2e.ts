// The agents' membership on the real API server (docs/membership.md): what they cost it in steady state (counted by
// API Priority and Fairness flows of the test's namespace, test-e2e/lib/request-flows.ts) and an API server outage in
// steady state. How long each failure takes to be detected: agent-detection.e2e.ts; partitions between pods:
// agent-partition.e2e.ts.
// test-runner: alone (it stops the shared API server)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { killApiserver, startApiserver } from '../../local-cluster/restart-apiserver.ts';
import {
  agentLogLines,
  agentScenario,
  applyAgents,
  e2eEnv,
  ensureCrd,
  foundings,
  loudly,
  memberUids,
  oneAgentCluster,
  readyStatus,
  requestFlows,
  waitFor,
  waitForHealthyCluster,
} from '../lib/index.ts';

test.before(loudly('apply the CRD', ensureCrd));

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const MEMBERSHIP = {
  apiGroups: ['bootstrap.pekko-operator.dev'],
  resources: ['clustermemberships', 'clustermemberships/status'],
};

test('steady state on the real API server: no write, one read of the ClusterMembership per member per 10 s; then the API server down for 25 s: the members stop claiming membership, then go on as the same members', async () => {
  // One cluster for both: the request counters need the steady state, and the outage starts from it.
  await agentScenario('agentf-api', async (ns) => {
    // This namespace's agents only: other suites' agents (and those of namespaces still being deleted) use the same
    // resource on the same API server (test-e2e/lib/request-flows.ts).
    const flows = await requestFlows(ns, {
      writes: { verbs: ['create', 'update', 'patch', 'delete'], ...MEMBERSHIP },
      gets: { verbs: ['get'], ...MEMBERSHIP },
    });
    try {
      await applyAgents(ns, { replicas: 3 });
      await oneAgentCluster(ns, 3);
      await new Promise((r) => setTimeout(r, 20_000)); // past the join grace: the pods' readiness has settled
      const before = await flows.counts();
      const tLoad = Date.now();
      // 30 s: three contact intervals (10 s) of every member; a periodic write would show in any one of them.
      await new Promise((r) => setTimeout(r, 30_000));
      const after = await flows.counts();
      const minutes = (Date.now() - tLoad) / 60_000;
      const delta = (flow: 'writes' | 'gets') => ((after[flow] ?? 0) - (before[flow] ?? 0)) / 3 / minutes;
      console.log(
        `figure: steady state, per member per minute (the namespace's own APF flows, 3 members, ${minutes.toFixed(2)} min): ` +
          `${delta('writes').toFixed(2)} writes, ${delta('gets').toFixed(2)} GETs of the ClusterMembership`,
      );
      assert.is(delta('writes'), 0, 'no write in steady state');
      assert.ok(delta('gets') >= 4.5 && delta('gets') <= 7.5, `${delta('gets')} reads per member per minute`);
    } finally {
      await flows.remove();
    }
    const pods = await oneAgentCluster(ns, 3);
    const uids = await memberUids(pods);
    const t0 = Date.now();
    await killApiserver(e2eEnv.clusterDir);
    let isolatedAfter = Number.NaN;
    try {
      await waitFor(
        async () => {
          const ready = await Promise.all(pods.map((p) => readyStatus(p.status?.podIP ?? '')));
          if (ready.some((s) => s !== 500)) throw new Error(`/ready: ${ready.join(', ')}`);
          return true;
        },
        { what: 'every member answering /ready 500 (no contact with the API)', timeoutMs: 30_000, intervalMs: 250 },
      );
      isolatedAfter = Date.now() - t0;
      await new Promise((r) => setTimeout(r, Math.max(0, 25_000 - (Date.now() - t0))));
    } finally {
      await startApiserver(e2eEnv.clusterDir);
      await waitForHealthyCluster();
    }
    const t1 = Date.now();
    const back = await oneAgentCluster(ns, 3, 120_000);
    console.log(
      `figure: API server killed: every member stopped claiming membership after ${secs(isolatedAfter)}; ` +
        `one cluster of the same 3 members ${secs(Date.now() - t1)} after the API server was healthy again`,
    );
    assert.ok(isolatedAfter <= 16_000, `isolated within the contact timeout (15 s): ${isolatedAfter} ms`);
    assert.equal(back.map((p) => p.metadata?.name).sort(), pods.map((p) => p.metadata?.name).sort());
    assert.equal(await memberUids(back), uids, 'the same incarnations: nobody was removed or rejoined');
    assert.is(foundings(ns), 1);
    assert.equal(agentLogLines(ns, 'members removed'), []);
    assert.equal(agentLogLines(ns, 'removed from the cluster'), []);
  });
});

test.run();
