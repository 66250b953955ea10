// How long each failure of an agent cluster takes to be detected on the local cluster (docs/membership.md): pod
// deleted, process dead with its pod gone, process hung, API lost. Each scenario has its own namespace and operator;
// the two run at the same time (`concurrently`). The API server outage: agent-failures.e2e.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AGENTS_SELECTOR,
  agentLogLines,
  agentNode,
  agentScenario,
  applyAgents,
  clusterLayout,
  concurrently,
  ensureCrd,
  foundings,
  heal,
  kubectl,
  listPods,
  loudly,
  memberViews,
  oneAgentCluster,
  podNetwork,
  readyStatus,
  waitFor,
  withPartition,
} from '../lib/index.ts';

test.before(loudly('apply the CRD', ensureCrd));
test.after(heal);

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

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
