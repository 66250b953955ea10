// The in-pod agent (issue 5, item 8) through the operator on the real local cluster: the operator's Deployment,
// ServiceAccount, Role and RoleBinding, the ClusterMembership with its own Role and RoleBinding, and real RBAC on
// every API call. Each test has its own namespace and its own operator process (node operator/main.ts watching only
// that namespace). Membership is read the way the operator reads it: GET /cluster/members on each pod IP
// (test-e2e/lib/agents.ts). Failures, partitions and the API server: agent-failures.e2e.ts.
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  agentLogs,
  agentScenario,
  applyAgents as applyCb,
  clients,
  describePods,
  ensureCrd,
  expectQuiet,
  foundings,
  isReady,
  kubectl,
  listPods,
  loudly,
  members,
  AGENTS as NAME,
  oneAgentCluster,
  patchAgents as patchCb,
  AGENTS_SELECTOR as SELECTOR,
  waitFor,
  watchForSplits,
} from '../lib/index.ts';

const NEXT_IMAGE = 'pekko-bootstrap-agent:dev2'; // the same program under another tag, in the default image map

// Suites run in any order on a fresh cluster: the CRD first.
test.before(loudly('apply the CRD', ensureCrd));

const scenario = (fn: Parameters<typeof agentScenario>[1]) => agentScenario('agent', fn);

// ---- the tests -------------------------------------------------------------------------------------------------

test('3 replicas form one cluster with the operator Deployment and real RBAC; formation time', async () => {
  await scenario(async (ns) => {
    const t0 = Date.now();
    await applyCb(ns, { replicas: 3 });
    const pods = await oneAgentCluster(ns, 3);
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

test("the agents' account may read and watch their ClusterMembership and write its status, and nothing else of the kind", async () => {
  await scenario(async (ns) => {
    await applyCb(ns, { replicas: 1 });
    await oneAgentCluster(ns, 1);
    const record = JSON.parse(
      (await kubectl(['get', 'clustermemberships', NAME, '-o', 'json'], { namespace: ns })).stdout,
    ) as {
      metadata: { ownerReferences?: Array<{ kind: string; controller?: boolean }> };
      status?: { members?: unknown[] };
    };
    assert.ok(record.metadata.ownerReferences?.some((o) => o.kind === 'ClusterBootstrap' && o.controller));
    assert.is(record.status?.members?.length, 1, 'the agent wrote its status');
    const can = async (...args: string[]) =>
      (
        await kubectl(['auth', 'can-i', ...args, `--as=system:serviceaccount:${ns}:${NAME}`], {
          namespace: ns,
          check: false,
        })
      ).stdout.trim();
    const CM = 'clustermemberships.bootstrap.pekko-operator.dev';
    const rights: Array<[string[], string]> = [
      [['get', `${CM}/${NAME}`], 'yes'],
      [['watch', `${CM}/${NAME}`], 'yes'],
      [['update', `${CM}/${NAME}`, '--subresource=status'], 'yes'],
      [['get', `${CM}/another`], 'no'],
      [['list', CM], 'no'],
      [['update', `${CM}/${NAME}`], 'no'],
      [['patch', `${CM}/${NAME}`, '--subresource=status'], 'no'],
      [['update', `${CM}/another`, '--subresource=status'], 'no'],
      [['create', CM], 'no'],
      [['delete', `${CM}/${NAME}`], 'no'],
      [['get', 'leases.coordination.k8s.io/any'], 'no'],
    ];
    const got = await Promise.all(rights.map(async ([args]) => `${args.join(' ')}: ${await can(...args)}`));
    assert.equal(
      got,
      rights.map(([args, want]) => `${args.join(' ')}: ${want}`),
    );
  });
});

test('scaling to 4 joins the new node; scaling to 2 removes the members that left', async () => {
  await scenario(async (ns) => {
    await applyCb(ns, { replicas: 3 });
    await oneAgentCluster(ns, 3);
    await patchCb(ns, { replicas: 4 });
    await oneAgentCluster(ns, 4);
    await patchCb(ns, { replicas: 2 });
    await oneAgentCluster(ns, 2, 60_000);
    assert.is(foundings(ns), 1);
  });
});

test('a deleted pod is replaced and its replacement joins the same cluster', async () => {
  await scenario(async (ns) => {
    await applyCb(ns, { replicas: 3 });
    const before = await oneAgentCluster(ns, 3);
    const victim = before[0]?.metadata?.name ?? '';
    await kubectl(['delete', 'pod', victim, '--wait=false'], { namespace: ns });
    const after = await oneAgentCluster(ns, 3);
    assert.not.ok(after.some((p) => p.metadata?.name === victim));
    assert.is(foundings(ns), 1, 'no second cluster was formed');
  });
});

test('a rolling update to a new image tag keeps one cluster throughout', async () => {
  await scenario(async (ns) => {
    await applyCb(ns, { replicas: 3 });
    const before = await oneAgentCluster(ns, 3);
    const watch = watchForSplits(ns);
    let after: V1Pod[];
    let splits: string[];
    try {
      await patchCb(ns, { image: NEXT_IMAGE });
      after = await waitFor(
        async () => {
          const pods = await oneAgentCluster(ns, 3, 5000).catch(() => undefined);
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
    await oneAgentCluster(ns, 2);
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
    await oneAgentCluster(ns, 2, 120_000);
  });
});

test('9 replicas form one cluster; formation time', async () => {
  await scenario(async (ns) => {
    const t0 = Date.now();
    await applyCb(ns, { replicas: 9 });
    await oneAgentCluster(ns, 9, 240_000);
    console.log(
      `formation, 9 replicas (stable margin 5s): ${((Date.now() - t0) / 1000).toFixed(1)}s from apply to one cluster of 9 Ready pods`,
    );
    assert.is(foundings(ns), 1);
  });
});

test.run();
