// The in-pod agent (issue 5, item 8) through the operator on the real local cluster: the operator's Deployment,
// ServiceAccount, Role and RoleBinding, and real RBAC on every pod list. Each test has its own namespace and its own
// operator process (node operator/main.ts watching only that namespace). Membership is read the way the operator
// reads it: GET /cluster/members on each pod IP.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterMembers } from '../../core/protocol/pekko.ts';
import {
  applyClusterBootstrap,
  clients,
  clusterLayout,
  clusterMembersAt,
  describePods,
  ensureCrd,
  expectQuiet,
  isReady,
  kubectl,
  listPods,
  loudly,
  Operator,
  waitFor,
  withNamespace,
} from '../lib/index.ts';

const IMAGE = 'pekko-bootstrap-agent:dev';
const NEXT_IMAGE = 'pekko-bootstrap-agent:dev2'; // the same program under another tag, in the default image map
const NAME = 'agents';
const SELECTOR = `app=${NAME}`;

// Suites run in any order on a fresh cluster: the CRD first.
test.before(loudly('apply the CRD', ensureCrd));

// ---- an operator per test --------------------------------------------------------------------------------------

interface OperatorHandle {
  /** SIGTERM and wait for the exit (the operator is "paused": nothing repairs the children). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Runs fn in a fresh namespace with its own operator; prints the operator's log tail when fn throws. */
async function scenario(fn: (ns: string, operator: OperatorHandle) => Promise<void>): Promise<void> {
  await withNamespace(
    async (ns) => {
      let op: Operator | undefined = await Operator.start(ns, `op-${ns}`);
      const handle: OperatorHandle = {
        stop: async () => {
          await op?.stop();
          op = undefined;
        },
        start: async () => {
          op = await Operator.start(ns, `op-${ns}`);
        },
      };
      try {
        await fn(ns, handle);
      } catch (err) {
        if (op) process.stderr.write(`----- operator log (${op.logFile})\n${op.tail(40)}\n`);
        throw err;
      } finally {
        await handle.stop();
      }
    },
    { prefix: 'agent', dump: { objects: ['clusterbootstraps', 'deployments', 'roles', 'rolebindings'] } },
  );
}

// ---- the resource and the pods ---------------------------------------------------------------------------------

async function applyCb(ns: string, spec: Record<string, unknown>): Promise<void> {
  await applyClusterBootstrap(ns, NAME, { image: IMAGE, workload: 'agent', ...spec });
}

async function patchCb(ns: string, spec: Record<string, unknown>): Promise<void> {
  await kubectl(['patch', 'clusterbootstrap', NAME, '--type', 'merge', '-p', JSON.stringify({ spec })], {
    namespace: ns,
  });
}

const nodeOf = (p: V1Pod) => `pekko://${NAME}@${p.status?.podIP}:17355`;

async function members(ip: string): Promise<ClusterMembers | undefined> {
  const parsed = await clusterMembersAt(ip);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * Waits until exactly `n` pods (not terminating) are Ready and each reports the same members: those n pods, all Up,
 * nobody unreachable. Returns the pods.
 */
async function oneCluster(ns: string, n: number, timeoutMs = 120_000): Promise<V1Pod[]> {
  return waitFor(
    async () => {
      const pods = await listPods(ns, SELECTOR);
      if (pods.length !== n || !pods.every(isReady)) throw new Error(`${n} Ready pods wanted: ${describePods(pods)}`);
      const want = pods.map(nodeOf).sort().join(',');
      for (const p of pods) {
        const m = await members(p.status?.podIP ?? '');
        const got = m?.members.map((x) => `${x.node}:${x.status}`).sort();
        if (
          !m ||
          got?.join(',') !==
            want
              .split(',')
              .map((x) => `${x}:Up`)
              .join(',') ||
          m.unreachable.length > 0
        ) {
          throw new Error(`${p.metadata?.name} reports ${JSON.stringify(m?.members.map((x) => x.node))}, want ${want}`);
        }
      }
      return pods;
    },
    { what: `one cluster of ${n} agents`, timeoutMs, intervalMs: 500 },
  );
}

/** The app container logs of every pod this namespace ever had (files outlive the pods). */
function agentLogs(ns: string): string[] {
  const dir = clusterLayout().podLogs;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${ns}_`) && f.endsWith('_app.log'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

const foundings = (ns: string) =>
  agentLogs(ns).reduce((n, log) => n + (log.match(/"msg":"formed a new cluster"/g)?.length ?? 0), 0);

/**
 * Polls every pod's members until stop() and records each moment at which two pods report disjoint member lists
 * (two clusters). Members of one cluster always share at least one member.
 */
function watchForSplits(ns: string): { stop: () => Promise<string[]> } {
  const splits: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const pods = (await listPods(ns, SELECTOR).catch(() => [])).filter((p) => p.status?.podIP);
      const sets = (
        await Promise.all(pods.map(async (p) => [p.metadata?.name, await members(p.status?.podIP ?? '')] as const))
      )
        .filter(([, m]) => m && m.members.length > 0)
        .map(([name, m]) => [name, new Set(m?.members.map((x) => x.node))] as const);
      for (const [i, [a, sa]] of sets.entries()) {
        for (const [b, sb] of sets.slice(i + 1)) {
          if (![...sa].some((x) => sb.has(x)))
            splits.push(`${new Date().toISOString()} ${a} and ${b} are in different clusters`);
        }
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return splits;
    },
  };
}

// ---- the tests -------------------------------------------------------------------------------------------------

test('3 replicas form one cluster with the operator Deployment and real RBAC; formation time', async () => {
  await scenario(async (ns) => {
    const t0 = Date.now();
    await applyCb(ns, { replicas: 3 });
    const pods = await oneCluster(ns, 3);
    console.log(
      `formation, 3 replicas (stable margin 5s): ${((Date.now() - t0) / 1000).toFixed(1)}s from apply to one cluster of 3 Ready pods`,
    );
    assert.is(foundings(ns), 1);
    const m = await members(pods[0]?.status?.podIP ?? '');
    assert.ok(m?.leader && m.oldest);
    const seeds = await fetch(`http://${pods[1]?.status?.podIP}:7626/bootstrap/seed-nodes`, {
      signal: AbortSignal.timeout(5000),
    }).then((r) => r.text());
    assert.match(seeds, /"nodeUid":-?\d+,/);
  });
});

test('scaling to 4 joins the new node; scaling to 2 removes the members that left', async () => {
  await scenario(async (ns) => {
    await applyCb(ns, { replicas: 3 });
    await oneCluster(ns, 3);
    await patchCb(ns, { replicas: 4 });
    await oneCluster(ns, 4);
    await patchCb(ns, { replicas: 2 });
    await oneCluster(ns, 2, 60_000);
    assert.is(foundings(ns), 1);
  });
});

test('a deleted pod is replaced and its replacement joins the same cluster', async () => {
  await scenario(async (ns) => {
    await applyCb(ns, { replicas: 3 });
    const before = await oneCluster(ns, 3);
    const victim = before[0]?.metadata?.name ?? '';
    await kubectl(['delete', 'pod', victim, '--wait=false'], { namespace: ns });
    const after = await oneCluster(ns, 3);
    assert.not.ok(after.some((p) => p.metadata?.name === victim));
    assert.is(foundings(ns), 1, 'no second cluster was formed');
  });
});

test('a rolling update to a new image tag keeps one cluster throughout', async () => {
  await scenario(async (ns) => {
    await applyCb(ns, { replicas: 3 });
    const before = await oneCluster(ns, 3);
    const watch = watchForSplits(ns);
    let after: V1Pod[];
    let splits: string[];
    try {
      await patchCb(ns, { image: NEXT_IMAGE });
      after = await waitFor(
        async () => {
          const pods = await oneCluster(ns, 3, 5000).catch(() => undefined);
          const names = new Set(before.map((p) => p.metadata?.name));
          return pods?.every((p) => !names.has(p.metadata?.name)) ? pods : undefined;
        },
        { what: 'three new pods in one cluster', timeoutMs: 240_000, intervalMs: 1000 },
      );
    } finally {
      // Stopped whatever happened above: a loop left running would keep this file's process alive.
      splits = await watch.stop();
    }
    assert.equal(splits, []);
    assert.is(after.length, 3);
    assert.is(foundings(ns), 1, 'the cluster was formed once and carried over');
  });
});

test('RoleBinding removed while the operator is stopped: new agents log the 403 and never form', async () => {
  await scenario(async (ns, operator) => {
    await applyCb(ns, { replicas: 2 });
    await oneCluster(ns, 2);
    // The operator would put the RoleBinding back at once (it is a shared child, repaired like any other).
    await operator.stop();
    await kubectl(['delete', 'rolebinding', 'read-pods'], { namespace: ns });
    await kubectl(['delete', 'pods', '-l', SELECTOR, '--wait=false'], { namespace: ns });
    await waitFor(
      async () => {
        const pods = await listPods(ns, SELECTOR);
        const forbidden = agentLogs(ns).some((l) => l.includes('"code":"Forbidden"'));
        return pods.length === 2 && pods.every((p) => p.status?.phase === 'Running') && forbidden;
      },
      { what: 'replacement pods running and a logged 403', timeoutMs: 90_000 },
    );
    const list = await clients().core.listNamespacedPod({ namespace: ns, labelSelector: SELECTOR });
    await expectQuiet<V1Pod>({
      path: `/api/v1/namespaces/${ns}/pods`,
      labelSelector: SELECTOR,
      resourceVersion: list.metadata?.resourceVersion ?? '',
      what: 'no agent pod Ready without the RoleBinding',
      unwanted: (_type, p) => (isReady(p) ? `${p.metadata?.name} became Ready` : undefined),
      forMs: 20_000,
    });
    const pods = await listPods(ns, SELECTOR);
    assert.ok(
      pods.every((p) => !isReady(p)),
      `no pod becomes Ready: ${describePods(pods)}`,
    );
    assert.is(foundings(ns), 1, 'only the first cluster, before the RoleBinding went');
    const forbidden =
      agentLogs(ns)
        .join('')
        .split('\n')
        .find((l) => l.includes('"code":"Forbidden"')) ?? '';
    assert.match(forbidden, /"level":"warn"/);
    assert.match(forbidden, /Forbidden when communicating with the Kubernetes API\. Check RBAC settings/);
    assert.match(forbidden, /Role pod-reader .*RoleBinding read-pods/);
    // The operator back: it restores the RoleBinding, and the agents form a cluster.
    await operator.start();
    await oneCluster(ns, 2, 120_000);
  });
});

test('9 replicas form one cluster; formation time', async () => {
  await scenario(async (ns) => {
    const t0 = Date.now();
    await applyCb(ns, { replicas: 9 });
    await oneCluster(ns, 9, 240_000);
    console.log(
      `formation, 9 replicas (stable margin 5s): ${((Date.now() - t0) / 1000).toFixed(1)}s from apply to one cluster of 9 Ready pods`,
    );
    assert.is(foundings(ns), 1);
  });
});

test.run();
