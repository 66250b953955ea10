// The agents' membership on the real API server (docs/membership.md): what they cost it in steady state (its own
// request counters), an API server outage in steady state, and how long each failure takes to be detected on the
// local cluster (pod deleted, process dead with its pod gone, process hung, API lost). Each scenario has its own
// namespace and operator; the two detection scenarios run at the same time (`concurrently`). Partitions between pods:
// agent-partition.e2e.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { killApiserver, startApiserver } from '../../local-cluster/restart-apiserver.ts';
import {
  AGENTS_SELECTOR,
  agentLogLines,
  agentNode,
  agentScenario,
  applyAgents,
  clusterLayout,
  concurrently,
  e2eEnv,
  ensureCrd,
  foundings,
  heal,
  kubectl,
  listPods,
  loudly,
  memberUids,
  memberViews,
  oneAgentCluster,
  podNetwork,
  readyStatus,
  waitFor,
  waitForHealthyCluster,
  withPartition,
} from '../lib/index.ts';

test.before(loudly('apply the CRD', ensureCrd));
test.after(heal);

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

function pidOf(pod: V1Pod): number {
  const file = join(clusterLayout().pods, pod.metadata?.uid ?? '', 'pids', 'app.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
}

/** Milliseconds from t0 until no other pod lists the victim (polled every 250 ms). */
async function removedAfter(others: readonly V1Pod[], victim: V1Pod, t0: number, timeoutMs = 90_000): Promise<number> {
  const node = agentNode(victim);
  await waitFor(
    async () => {
      const views = await memberViews(others);
      const still = [...views].filter(([, m]) => m.length === 0 || m.includes(node)).map(([name]) => name);
      if (still.length) throw new Error(`${still.join(', ')} still list ${node} (or answer nothing)`);
      return true;
    },
    { what: `${node} removed by every other member`, timeoutMs, intervalMs: 250 },
  );
  return Date.now() - t0;
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

/** A formed cluster of 4 past the join grace; the victim is not the leader (the sim covers a hung leader). */
async function fourAndVictim(ns: string): Promise<{ victim: V1Pod; others: V1Pod[] }> {
  await applyAgents(ns, { replicas: 4 });
  const pods = await oneAgentCluster(ns, 4);
  await new Promise((r) => setTimeout(r, 12_000));
  const views = await memberViews(pods);
  const leader = (await fetch(`http://${pods[0]?.status?.podIP}:7626/cluster/members`).then((r) => r.json())) as {
    leader?: string;
  };
  const victim = pods.find((p) => agentNode(p) !== leader.leader) as V1Pod;
  assert.ok(views.size === 4 && victim);
  return { victim, others: pods.filter((p) => p !== victim) };
}

/** Pod deleted (the agent leaves), then a process dead with its pod gone (pod gone, the removal margin). */
async function podGone(): Promise<void> {
  await agentScenario('agentf-gone', async (ns) => {
    const first = await fourAndVictim(ns);
    let t0 = Date.now();
    await kubectl(['delete', 'pod', first.victim.metadata?.name ?? '', '--wait=false'], { namespace: ns });
    const leave = await removedAfter(first.others, first.victim, t0);
    const again = await oneAgentCluster(ns, 4);
    await new Promise((r) => setTimeout(r, 12_000));
    const victim = again.find((p) => !first.others.some((o) => o.metadata?.name === p.metadata?.name)) as V1Pod;
    const others = again.filter((p) => p !== victim);
    // The process cannot leave (stopped), and is SIGKILLed when the grace period ends; its pod is gone at once.
    process.kill(-pidOf(victim), 'SIGSTOP');
    t0 = Date.now();
    await kubectl(['delete', 'pod', victim.metadata?.name ?? '', '--grace-period=0', '--force', '--wait=false'], {
      namespace: ns,
    });
    const gone = await removedAfter(others, victim, t0);
    console.log(
      `figure: detection, pod deleted (SIGTERM, leave): ${secs(leave)}; process dead and pod force-deleted: ${secs(gone)}`,
    );
    assert.ok(leave < 5000, `a leaving member is gone at once: ${leave} ms`);
    assert.ok(gone >= 17_000 && gone < 30_000, `the removal margin (17 s) after the pod went: ${gone} ms`);
    // Force-deleted, the pod is first marked terminating (the API server's delete with grace 0), then gone: the
    // leader challenges on whichever it sees first.
    const removed = agentLogLines(ns, 'members removed').flatMap((l) => l.removed as Array<{ reason: string }>);
    assert.is(removed.length, 1);
    assert.ok(['pod gone', 'pod terminating'].includes(removed[0]?.reason ?? ''), removed[0]?.reason);
    await oneAgentCluster(ns, 4);
    assert.is(foundings(ns), 1);
  });
}

/** A hung process (SIGSTOP), then one that loses the API server; both come back. */
async function hungAndCutOff(): Promise<void> {
  await agentScenario('agentf-hang', async (ns) => {
    const { victim, others } = await fourAndVictim(ns);
    const pid = pidOf(victim);
    let t0 = Date.now();
    let hung = Number.NaN;
    process.kill(-pid, 'SIGSTOP');
    try {
      hung = await removedAfter(others, victim, t0);
    } finally {
      process.kill(-pid, 'SIGCONT');
    }
    t0 = Date.now();
    const all = await oneAgentCluster(ns, 4);
    const rejoinHang = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 12_000));
    const again = all.find((p) => p.metadata?.name === victim.metadata?.name) as V1Pod;
    const rest = all.filter((p) => p !== again);
    let isolated = Number.NaN;
    let lost = Number.NaN;
    if (podNetwork().mode === 'netns') {
      t0 = Date.now();
      await withPartition(
        [again],
        [],
        async () => {
          await waitFor(async () => (await readyStatus(again.status?.podIP ?? '')) === 500, {
            what: 'the cut-off member answering /ready 500',
            timeoutMs: 30_000,
            intervalMs: 250,
          });
          isolated = Date.now() - t0;
          lost = await removedAfter(rest, again, t0);
        },
        { apiServer: 'a' },
      );
      t0 = Date.now();
      await oneAgentCluster(ns, 4);
    }
    const rejoinApi = Date.now() - t0;
    console.log(
      `figure: detection, process hung (SIGSTOP): removed after ${secs(hung)}, back as a member ${secs(rejoinHang)} ` +
        `after SIGCONT; API lost: stopped claiming after ${secs(isolated)}, removed after ${secs(lost)}, back ` +
        `${secs(rejoinApi)} after the heal`,
    );
    assert.ok(hung >= 17_000 && hung < 40_000, `NotReady (3 probes) + the margin: ${hung} ms`);
    if (podNetwork().mode === 'netns') {
      assert.ok(isolated <= 16_000, `isolated within the contact timeout: ${isolated} ms`);
      assert.ok(lost >= 17_000 && lost < 50_000, `contact timeout + NotReady + margin: ${lost} ms`);
    }
    const reasons = agentLogLines(ns, 'members removed').flatMap((l) =>
      (l.removed as Array<{ reason: string }>).map((r) => r.reason),
    );
    assert.ok(reasons.length >= 1 && reasons.every((r) => r === 'not ready'), reasons.join(', '));
    assert.is(foundings(ns), 1);
    assert.is((await listPods(ns, AGENTS_SELECTOR)).length, 4);
  });
}

test('failure detection, two clusters at once: pod deleted (the agent leaves) and process dead with its pod gone (pod gone, the removal margin); a hung process (SIGSTOP) and one that loses the API server, both back', async () => {
  // Independent namespaces and pods: the two share their waits (join grace, removal margin), not their state.
  await concurrently({ 'pod gone': podGone, 'hung and cut off': hungAndCutOff });
});

test.run();
