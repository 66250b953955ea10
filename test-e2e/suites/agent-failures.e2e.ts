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
  kubectl,
  loudly,
  memberUids,
  oneAgentCluster,
  readyStatus,
  waitFor,
  waitForHealthyCluster,
} from '../lib/index.ts';

test.before(loudly('apply the CRD', ensureCrd));

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** apiserver_request_total for clustermemberships, summed by verb (PUT, GET, ...), from the API server's /metrics. */
async function membershipRequests(): Promise<Record<string, number>> {
  const { stdout } = await kubectl(['get', '--raw', '/metrics']);
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes('resource="clustermemberships"')) continue;
    const verb = /verb="([A-Z]+)"/.exec(line)?.[1] ?? '?';
    out[verb] = (out[verb] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

test('steady state on the real API server: no write, one read of the ClusterMembership per member per 10 s; then the API server down for 25 s: the members stop claiming membership, then go on as the same members', async () => {
  // One cluster for both: the request counters need the steady state, and the outage starts from it.
  await agentScenario('agentf-api', async (ns) => {
    await applyAgents(ns, { replicas: 3 });
    const pods = await oneAgentCluster(ns, 3);
    await new Promise((r) => setTimeout(r, 20_000)); // past the join grace: the pods' readiness has settled
    const before = await membershipRequests();
    const tLoad = Date.now();
    // 30 s: three contact intervals (10 s) of every member; a periodic write would show in any one of them.
    await new Promise((r) => setTimeout(r, 30_000));
    const after = await membershipRequests();
    const minutes = (Date.now() - tLoad) / 60_000;
    const delta = (verb: string) => ((after[verb] ?? 0) - (before[verb] ?? 0)) / 3 / minutes;
    const writes = delta('PUT') + delta('PATCH') + delta('POST') + delta('DELETE');
    console.log(
      `figure: steady state, per member per minute (apiserver_request_total, 3 members, ${minutes.toFixed(2)} min): ` +
        `${writes.toFixed(2)} writes, ${delta('GET').toFixed(2)} GETs of the ClusterMembership`,
    );
    assert.is(writes, 0, 'no write in steady state');
    assert.ok(delta('GET') >= 4.5 && delta('GET') <= 7.5, `${delta('GET')} reads per member per minute`);
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
