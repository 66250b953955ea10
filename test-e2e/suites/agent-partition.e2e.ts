// Agent clusters under network partitions on the local cluster (issue 19, the agent's part; docs/membership.md,
// "Partitions: what the agent does instead of downing"). The agent has no split brain resolver: the record of the
// cluster lives on the API server, and only a member that reaches it may write. So a cut between pods changes
// nothing, a side cut off from the API server, whatever its size, stops claiming membership and is removed, and it
// can form no cluster of its own; after the heal it rejoins. Cuts come from test-e2e/lib/partition.ts (silent drops
// in the pods' network namespaces; the kubelet's probes and the operator still reach every pod) and are healed in a
// finally. On a cluster without network namespaces (no root) the tests are skipped, saying why.
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AGENTS,
  agentLogLines,
  agentNode,
  agentScenario,
  applyAgents,
  concurrently,
  ensureCrd,
  foundings,
  heal,
  kubectl,
  loudly,
  memberViews,
  oneAgentCluster,
  podNetwork,
  readyStatus,
  waitFor,
  watchForSplits,
  withPartition,
} from '../lib/index.ts';

const net = podNetwork();
const it = net.mode === 'netns' ? test : test.skip;
if (net.mode !== 'netns')
  console.log(`agent partition suite skipped: the cluster uses loopback pod IPs (${net.reason})`);

test.before(loudly('apply the CRD', ensureCrd));
test.after(heal);

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const names = (pods: readonly V1Pod[]) => pods.map((p) => p.metadata?.name ?? '');

/**
 * For `ms`, every second: every pod still reports exactly `all` as its members (nothing removed, nobody suspected
 * long enough to go). Fails at the first poll that differs.
 */
async function unchangedFor(pods: readonly V1Pod[], ms: number): Promise<void> {
  const want = pods.map(agentNode).sort().join(',');
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const [name, m] of await memberViews(pods)) {
      assert.is(m.join(','), want, `${name}'s members while the pods are cut apart`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Waits until the operator's status says Formed with `n` Up members. */
async function statusFormed(ns: string, n: number): Promise<void> {
  await waitFor(
    async () => {
      const cb = JSON.parse(
        (await kubectl(['get', 'clusterbootstrap', AGENTS, '-o', 'json'], { namespace: ns })).stdout,
      );
      const s = cb.status ?? {};
      if (s.phase !== 'Formed' || s.members !== n) throw new Error(`${s.phase}, ${s.members} members: ${s.message}`);
      return true;
    },
    { what: `the status Formed with ${n} members`, timeoutMs: 60_000 },
  );
}

/** Waits until `side` reports exactly its own members and `cut` claims nothing; returns the ms since t0. */
async function resolved(side: readonly V1Pod[], cut: readonly V1Pod[], t0: number): Promise<number> {
  const want = side.map(agentNode).sort().join(',');
  await waitFor(
    async () => {
      const views = await memberViews([...side, ...cut]);
      for (const p of side) {
        const got = views.get(p.metadata?.name ?? '')?.join(',');
        if (got !== want) throw new Error(`${p.metadata?.name} reports ${got}, want ${want}`);
      }
      for (const p of cut) {
        if (views.get(p.metadata?.name ?? '')?.length) throw new Error(`${p.metadata?.name} still claims membership`);
        if ((await readyStatus(p.status?.podIP ?? '')) !== 500) throw new Error(`${p.metadata?.name} still Ready`);
      }
      return true;
    },
    { what: `${names(side).join(', ')} alone in the cluster`, timeoutMs: 90_000, intervalMs: 250 },
  );
  return Date.now() - t0;
}

/** One member of 3 cut off from the other pods: nothing changes; cut off from the API server too: removed, forms nothing, rejoins after the heal. */
async function oneCutOff(): Promise<void> {
  await agentScenario('agentp-one', async (ns) => {
    await applyAgents(ns, { replicas: 3 });
    const pods = await oneAgentCluster(ns, 3);
    await new Promise((r) => setTimeout(r, 12_000)); // past the join grace
    const [lone, ...rest] = pods as [V1Pod, ...V1Pod[]];
    const splits = watchForSplits(ns);
    let seen: string[] = [];
    let took = Number.NaN;
    let back = Number.NaN;
    try {
      await withPartition([lone], rest, () => unchangedFor(pods, 30_000));
      assert.equal(agentLogLines(ns, 'challenging members'), [], 'a cut between pods challenges nobody');
      const t0 = Date.now();
      await withPartition(
        [lone],
        rest,
        async () => {
          took = await resolved(rest, [lone], t0);
          await statusFormed(ns, 2);
          // Cut off, it stays out: nothing it could write reaches the API server.
          await new Promise((r) => setTimeout(r, 10_000));
          assert.is((await memberViews([lone])).get(lone.metadata?.name ?? '')?.length, 0);
        },
        { apiServer: 'a' },
      );
      const t1 = Date.now();
      await oneAgentCluster(ns, 3);
      back = Date.now() - t1;
      await statusFormed(ns, 3);
    } finally {
      seen = await splits.stop();
    }
    console.log(
      `figure: agent, 1 of 3 cut off from pods and API server: the other 2 alone after ${secs(took)}; ` +
        `one cluster of 3 again ${secs(back)} after the heal`,
    );
    assert.equal(seen, [], 'never two clusters');
    assert.is(foundings(ns), 1, 'the lone member founded nothing');
    const removed = agentLogLines(ns, 'members removed').flatMap((l) => l.removed as Array<Record<string, string>>);
    assert.equal(removed, [{ node: agentNode(lone), reason: 'not ready' }]);
  });
}

/** 5 pods split 2/3: nothing changes; the side cut off from the API server, even the larger one, is removed and rejoins. */
async function largerSideCutOff(): Promise<void> {
  await agentScenario('agentp-split', async (ns) => {
    await applyAgents(ns, { replicas: 5 });
    const pods = await oneAgentCluster(ns, 5);
    await new Promise((r) => setTimeout(r, 12_000));
    const two = pods.slice(0, 2);
    const three = pods.slice(2);
    const splits = watchForSplits(ns);
    let seen: string[] = [];
    let took = Number.NaN;
    let back = Number.NaN;
    try {
      await withPartition(two, three, () => unchangedFor(pods, 30_000));
      assert.equal(agentLogLines(ns, 'challenging members'), [], 'a cut between pods challenges nobody');
      const t0 = Date.now();
      await withPartition(
        two,
        three,
        async () => {
          took = await resolved(two, three, t0);
          await statusFormed(ns, 2);
          await new Promise((r) => setTimeout(r, 10_000));
          assert.is(foundings(ns), 1, 'the three formed nothing while cut off');
        },
        { apiServer: 'b' },
      );
      const t1 = Date.now();
      await oneAgentCluster(ns, 5);
      back = Date.now() - t1;
      await statusFormed(ns, 5);
    } finally {
      seen = await splits.stop();
    }
    console.log(
      `figure: agent, 5 pods split 2/3 with the 3 cut off from the API server: the 2 alone after ${secs(took)}; ` +
        `one cluster of 5 again ${secs(back)} after the heal`,
    );
    assert.equal(seen, [], 'never two clusters');
    assert.is(foundings(ns), 1);
    const removed = agentLogLines(ns, 'members removed').flatMap((l) => l.removed as Array<Record<string, string>>);
    assert.equal(removed.map((r) => r.node).sort(), three.map(agentNode).sort(), 'the three, each once');
    assert.ok(removed.every((r) => r.reason === 'not ready'));
  });
}

it('one member of 3, and the larger side of 5 split 2/3, cut off from the other pods (nothing changes), then from the API server too: removed, form nothing, rejoin after the heal; never two clusters', async () => {
  // Two clusters at once, each in its own namespace with its own cuts: they share their waits, not their state.
  await concurrently({ 'one of 3': oneCutOff, '3 of 5': largerSideCutOff });
});

test.run();
