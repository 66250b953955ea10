// The operator (issue 4) on the real local cluster: children applied with the right names, labels and owners;
// drift repaired; the shared Role and RoleBinding; a foreign pod-reader left alone; the scale subresource; a SIGKILL
// in a burst of 50; two replicas with leader election. Each test runs its own operator process
// (test-e2e/lib/operator.ts: node operator/main.ts, WATCH_NAMESPACES=<its namespace>) so that it can kill it, and its
// own namespace. The API server restart has a suite of its own that runs alone: apiserver-restart.e2e.ts.
import { readFileSync } from 'node:fs';
import {
  CoordinationV1Api,
  type V1Deployment,
  type V1OwnerReference,
  type V1Role,
  type V1RoleBinding,
  type V1ServiceAccount,
} from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FORMATION_ANNOTATION } from '../../core/api/types.ts';
import {
  children,
  clients,
  deployment,
  ensureCrd,
  expectQuiet,
  kubectl,
  loudly,
  maybe,
  Operator,
  role,
  roleBinding,
  serviceAccount,
  waitChildren,
  waitFor,
  withNamespace,
} from '../lib/index.ts';

const GROUP = 'bootstrap.pekko-operator.dev';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const IMAGE = 'pekko-bootstrap-agent:dev';

// ---- the operator as a child process: test-e2e/lib/operator.ts ----------------------------------------------

/** Runs fn in a fresh namespace with the operators it starts; prints their log tails if fn throws. */
async function scenario(fn: (ns: string, started: Operator[]) => Promise<void>): Promise<void> {
  await withNamespace(
    async (ns) => {
      const started: Operator[] = [];
      try {
        await fn(ns, started);
      } catch (err) {
        for (const op of started) process.stderr.write(`----- operator ${op.name} (${op.logFile})\n${op.tail(60)}\n`);
        throw err;
      } finally {
        await Promise.all(started.map((op) => op.stop()));
      }
    },
    {
      prefix: 'op',
      dump: { objects: ['clusterbootstraps', 'deployments', 'serviceaccounts', 'roles', 'rolebindings'] },
    },
  );
}

async function startOperator(ns: string, started: Operator[], name = 'op-0', env: Record<string, string> = {}) {
  const op = await Operator.start(ns, name, env);
  started.push(op);
  return op;
}

// ---- the API, as a user sees it -------------------------------------------------------------------------------

interface Cb {
  metadata: { name: string; uid: string; generation: number };
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    replicas?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

function cbYaml(name: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'ClusterBootstrap',
    metadata: { name },
    spec: { image: IMAGE, workload: 'agent', replicas: 1, ...spec },
  });
}

async function applyCb(ns: string, name: string, spec: Record<string, unknown> = {}): Promise<void> {
  await kubectl(['apply', '-f', '-'], { namespace: ns, input: cbYaml(name, spec) });
}

async function getCb(ns: string, name: string): Promise<Cb> {
  return JSON.parse((await kubectl(['get', 'clusterbootstrap', name, '-o', 'json'], { namespace: ns })).stdout) as Cb;
}

function condition(cb: Cb, type: string) {
  return cb.status?.conditions?.find((c) => c.type === type);
}

/** The JSON form of a typed client-node object (its class instances carry undefined fields that deep-equal sees). */
function plain<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function owners(o: { metadata?: { ownerReferences?: V1OwnerReference[] } }): string[] {
  return (o.metadata?.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}/${r.uid}/${r.controller ? 'c' : '-'}`);
}

async function eventReasons(ns: string, name: string): Promise<string[]> {
  const out = await kubectl(['get', 'events.events.k8s.io', '-o', 'json'], { namespace: ns });
  const items = (
    JSON.parse(out.stdout) as {
      items: { regarding?: { name?: string; kind?: string }; reason?: string; note?: string }[];
    }
  ).items;
  return items
    .filter((e) => e.regarding?.kind === 'ClusterBootstrap' && e.regarding.name === name)
    .map((e) => `${e.reason}: ${e.note}`);
}

// ---- the tests -----------------------------------------------------------------------------------------------

// The CRD as users install it. If this tree's file does not apply (a generator bug), the suite fails: testing the
// operator against a CRD left in the cluster by another tree would hide that.
test.before(loudly('apply the CRD', ensureCrd));

test('apply: Deployment, ServiceAccount, Role pod-reader and RoleBinding read-pods, with labels and owners', async () => {
  await scenario(async (ns, started) => {
    await startOperator(ns, started);
    await applyCb(ns, 'demo');
    const { d, sa, r, rb } = await waitChildren(ns, 'demo');
    const cb = await getCb(ns, 'demo');
    const uid = cb.metadata.uid;
    const childLabels = {
      app: 'demo',
      actorSystemName: 'demo',
      'app.kubernetes.io/name': 'demo',
      'app.kubernetes.io/instance': 'demo',
      [MANAGED_BY]: 'pekko-bootstrap-operator',
    };
    for (const o of [d, sa] as (V1Deployment | V1ServiceAccount)[]) {
      assert.is(o.metadata?.namespace, ns);
      for (const [k, v] of Object.entries(childLabels)) assert.is(o.metadata?.labels?.[k], v, `${o.kind} label ${k}`);
      assert.equal(owners(o), [`ClusterBootstrap/demo/${uid}/c`]);
    }
    assert.is(d.spec?.template?.metadata?.labels?.[MANAGED_BY], 'pekko-bootstrap-operator', 'pods are labelled too');
    assert.is(d.spec?.template?.spec?.serviceAccountName, 'demo');
    for (const o of [r, rb] as (V1Role | V1RoleBinding)[]) {
      assert.is(o.metadata?.namespace, ns);
      assert.is(o.metadata?.labels?.[MANAGED_BY], 'pekko-bootstrap-operator');
      assert.equal(owners(o), [`ClusterBootstrap/demo/${uid}/-`]);
    }
    assert.equal(plain(r.rules), [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] }]);
    assert.equal(plain(rb.roleRef), { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' });
    assert.equal(plain(rb.subjects), [{ kind: 'ServiceAccount', name: 'demo', namespace: ns }]);
    const ready = await waitFor(
      async () => {
        const c = await getCb(ns, 'demo');
        return condition(c, 'ResourcesReady')?.status === 'True' && c;
      },
      { what: 'ResourcesReady=True' },
    );
    assert.is(ready.status?.observedGeneration, 1);
    await waitFor(
      async () =>
        (await eventReasons(ns, 'demo')).some(
          (e) =>
            e ===
            'Created: Created ServiceAccount demo, ClusterMembership demo, Role demo-membership, RoleBinding demo-membership, Deployment demo, PodDisruptionBudget demo',
        ),
      {
        what: 'a Created event',
      },
    );
  });
});

test('children edited by hand or deleted are repaired', async () => {
  await scenario(async (ns, started) => {
    await startOperator(ns, started);
    await applyCb(ns, 'demo');
    const { sa } = await waitChildren(ns, 'demo');
    await kubectl(['scale', 'deployment/demo', '--replicas=7'], { namespace: ns });
    await kubectl(['label', 'deployment/demo', 'app=hacked', '--overwrite'], { namespace: ns });
    await kubectl(
      ['patch', 'role/pod-reader', '--type=json', '-p', '[{"op":"add","path":"/rules/0/verbs/-","value":"delete"}]'],
      {
        namespace: ns,
      },
    );
    // The operator may drop read-pods itself the moment the account goes (it binds only accounts it sees): a binding
    // already gone is fine.
    await kubectl(['delete', 'serviceaccount/demo', 'rolebinding/read-pods', '--ignore-not-found'], { namespace: ns });
    await waitFor(
      async () => {
        const { d, sa: sa2, r, rb } = await children(ns, 'demo');
        const problems = [
          d.spec?.replicas !== 1 && `replicas ${d.spec?.replicas}`,
          d.metadata?.labels?.app !== 'demo' && `label app=${d.metadata?.labels?.app}`,
          JSON.stringify(r.rules?.[0]?.verbs) !== '["get","watch","list"]' && `verbs ${r.rules?.[0]?.verbs}`,
          sa2.metadata?.uid === sa.metadata?.uid && 'ServiceAccount not recreated',
          rb.subjects?.length !== 1 && 'subjects',
        ].filter(Boolean);
        if (problems.length) throw new Error(problems.join(', '));
        return true;
      },
      { what: 'every child repaired' },
    );
    await waitFor(
      async () => (await eventReasons(ns, 'demo')).some((e) => e.startsWith('Repaired: Repaired Deployment demo')),
      {
        what: 'a Repaired event',
      },
    );
  });
});

test('nothing to apply in steady state: cpu 0.5 stored as 500m and an env var of kubectl set env, over forced resyncs', async () => {
  await scenario(async (ns, started) => {
    // A resync every 2 s: each one reconciles the resource, event or not (RESYNC_PERIOD, docs/operator.md).
    const op = await startOperator(ns, started, 'op-0', { RESYNC_PERIOD: '2s' });
    const template = { spec: { containers: [{ name: 'app', resources: { limits: { cpu: 0.5 } } }] } };
    await applyCb(ns, 'steady', { template });
    await waitFor(
      async () => {
        const d = await deployment(ns, 'steady');
        const app = d?.spec?.template?.spec?.containers.find((c) => c.name === 'app');
        // Formed, and the formation recorded on the Deployment (one apply, docs/pekko.md): steady state from here.
        const formed = d?.metadata?.annotations?.[FORMATION_ANNOTATION];
        return condition(await getCb(ns, 'steady'), 'ResourcesReady')?.status === 'True' && formed && app?.resources;
      },
      { what: 'ResourcesReady=True and the formation recorded on the Deployment', timeoutMs: 90_000 },
    );
    await kubectl(['set', 'env', 'deployment/steady', '-c', 'app', 'EXTRA=by-kubectl'], { namespace: ns });
    const applies = await op.metric('pekko_bootstrap_operator_applies_total');
    const passes = () =>
      op.metric('pekko_bootstrap_operator_reconcile_duration_seconds_count', 'controller="clusterbootstrap"');
    const passesBefore = await passes();
    const t0 = Date.now();
    // At least 10 resync periods and 10 reconciles of the resource after the edit.
    const passesAfter = await waitFor(
      async () => {
        const n = await passes();
        return Date.now() - t0 >= 20_000 && n - passesBefore >= 10 && n;
      },
      { what: '10 resync periods', timeoutMs: 60_000 },
    );
    const appliesAfter = await op.metric('pekko_bootstrap_operator_applies_total');
    console.log(
      `  applies_total ${applies} -> ${appliesAfter} over ${passesAfter - passesBefore} reconciles in ${Date.now() - t0} ms`,
    );
    assert.is(appliesAfter, applies, 'no apply in steady state');
    const repaired = (await eventReasons(ns, 'steady')).filter((e) => e.startsWith('Repaired'));
    assert.equal(repaired, [], 'no Repaired Event');
    const app = (await deployment(ns, 'steady'))?.spec?.template?.spec?.containers.find((c) => c.name === 'app');
    assert.equal(plain(app?.resources?.limits), { cpu: '500m' }, 'stored in canonical form');
    assert.ok(
      app?.env?.some((e) => e.name === 'EXTRA' && e.value === 'by-kubectl'),
      "the other manager's env var stays",
    );

    // A typo in the template reaches the API server and is refused with the field named, instead of vanishing.
    await applyCb(ns, 'steady', {
      template: { ...template, spec: { ...template.spec, nodeSelctor: { disk: 'ssd' } } },
    });
    await waitFor(
      async () => {
        const c = condition(await getCb(ns, 'steady'), 'ResourcesReady');
        const said = `${readFileSync(op.logFile, 'utf8')}\n${c?.message ?? ''}`;
        return said.includes('.spec.template.spec.nodeSelctor: field not declared in schema');
      },
      { what: 'the apply refused, naming spec.template.spec.nodeSelctor', timeoutMs: 30_000 },
    );
  });
});

test('two resources share Role and RoleBinding; deleting one drops its subject; the last takes everything with it', async () => {
  await scenario(async (ns, started) => {
    await startOperator(ns, started);
    await applyCb(ns, 'alpha');
    await applyCb(ns, 'beta');
    await waitFor(
      async () => {
        const rb = await roleBinding(ns);
        const r = await role(ns);
        const names = (rb?.subjects ?? []).map((s) => `${s.kind}/${s.name}/${s.namespace}`).sort();
        if (names.join() !== `ServiceAccount/alpha/${ns},ServiceAccount/beta/${ns}`)
          throw new Error(`subjects ${names}`);
        if (owners(rb ?? {}).length !== 2 || owners(r ?? {}).length !== 2) throw new Error('owners');
        return true;
      },
      { what: 'read-pods binding both service accounts, both owning Role and RoleBinding' },
    );
    await kubectl(['delete', 'clusterbootstrap/alpha', '--wait=true'], { namespace: ns });
    await waitFor(
      async () => {
        const rb = await roleBinding(ns);
        const names = (rb?.subjects ?? []).map((s) => s.name);
        if (names.join() !== 'beta') throw new Error(`subjects ${names}`);
        if (owners(rb ?? {}).length !== 1) throw new Error(`owners ${owners(rb ?? {})}`);
        if (await deployment(ns, 'alpha')) throw new Error('Deployment alpha still there');
        if (await serviceAccount(ns, 'alpha')) throw new Error('ServiceAccount alpha still there');
        return true;
      },
      { what: "alpha's subject dropped and its children collected" },
    );
    await kubectl(['delete', 'clusterbootstrap/beta', '--wait=true'], { namespace: ns });
    await waitFor(
      async () => {
        const left = [
          (await role(ns)) && 'Role',
          (await roleBinding(ns)) && 'RoleBinding',
          (await serviceAccount(ns, 'beta')) && 'ServiceAccount',
          (await deployment(ns, 'beta')) && 'Deployment',
        ].filter(Boolean);
        if (left.length) throw new Error(`left: ${left}`);
        return true;
      },
      { what: 'Role, RoleBinding, ServiceAccount and Deployment gone' },
    );
  });
});

test('an existing pod-reader Role that the operator does not manage is left alone and the conflict reported', async () => {
  await scenario(async (ns, started) => {
    const foreign = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    };
    await kubectl(['apply', '-f', '-'], { namespace: ns, input: JSON.stringify(foreign) });
    const before = await role(ns);
    const bindings = await clients().rbac.listNamespacedRoleBinding({ namespace: ns });
    await startOperator(ns, started);
    await applyCb(ns, 'demo');
    const cb = await waitFor(
      async () => {
        const c = await getCb(ns, 'demo');
        return condition(c, 'ResourcesReady')?.reason === 'Conflict' && c;
      },
      { what: 'ResourcesReady reason Conflict' },
    );
    assert.match(condition(cb, 'ResourcesReady')?.message ?? '', /Role pod-reader exists and is not managed/);
    assert.is(condition(cb, 'ResourcesReady')?.status, 'False');
    await waitFor(async () => (await eventReasons(ns, 'demo')).some((e) => e.startsWith('Conflict: Role pod-reader')), {
      what: 'a Conflict event',
    });
    await waitFor(async () => !!(await deployment(ns, 'demo')), { what: 'the Deployment' });
    // Watched from before the operator started: any write to the Role, or a RoleBinding read-pods ever created, fails
    // at once; 3 s more gives the operator every chance to touch them.
    await Promise.all([
      expectQuiet({
        path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
        fieldSelector: 'metadata.name=pod-reader',
        resourceVersion: before?.metadata?.resourceVersion ?? '',
        what: 'the foreign Role pod-reader untouched',
        forMs: 3000,
      }),
      expectQuiet({
        path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
        fieldSelector: 'metadata.name=read-pods',
        resourceVersion: bindings.metadata?.resourceVersion ?? '',
        what: 'no binding to a Role the operator does not own',
        forMs: 3000,
      }),
    ]);
    const after = await role(ns);
    assert.is(after?.metadata?.resourceVersion, before?.metadata?.resourceVersion, 'the foreign Role is untouched');
    assert.equal(plain(after?.rules), foreign.rules);
    assert.not.ok(await roleBinding(ns), 'no binding to a Role the operator does not own');
    assert.ok(await deployment(ns, 'demo'), 'the other children are applied');
  });
});

test('kubectl scale cb/NAME --replicas=5 goes through the scale subresource to the Deployment', async () => {
  await scenario(async (ns, started) => {
    await startOperator(ns, started);
    await applyCb(ns, 'demo', { replicas: 2 });
    await waitChildren(ns, 'demo');
    await kubectl(['scale', 'clusterbootstrap/demo', '--replicas=5'], { namespace: ns });
    await waitFor(async () => (await deployment(ns, 'demo'))?.spec?.replicas === 5, { what: 'Deployment replicas 5' });
    const scale = await waitFor(
      async () => {
        const out = await kubectl(['get', 'clusterbootstrap/demo', '--subresource=scale', '-o', 'json'], {
          namespace: ns,
        });
        const s = JSON.parse(out.stdout) as {
          spec: { replicas: number };
          status: { replicas?: number; selector?: string };
        };
        if (s.status.replicas !== 5) throw new Error(`scale status.replicas ${s.status.replicas}`);
        return s;
      },
      { what: 'scale status.replicas 5', timeoutMs: 90_000 },
    );
    assert.is(scale.spec.replicas, 5);
    assert.is(scale.status.selector, 'app=demo,app.kubernetes.io/instance=demo');
    const cb = await getCb(ns, 'demo');
    assert.is(cb.status?.observedGeneration, cb.metadata.generation);
  });
});

test('SIGKILL during a burst of 50: after a restart all converge, with no duplicates', async () => {
  await scenario(async (ns, started) => {
    const first = await startOperator(ns, started, 'op-first');
    const names = Array.from({ length: 50 }, (_, i) => `burst-${String(i).padStart(2, '0')}`);
    const docs = names.map((n) => cbYaml(n, { replicas: 0 })).join('\n---\n');
    const applying = kubectl(['apply', '-f', '-'], { namespace: ns, input: docs });
    await waitFor(
      async () => {
        const n = (await clients().apps.listNamespacedDeployment({ namespace: ns })).items.length;
        return n >= 5 || (n > 0 && (await applying.then(() => true)));
      },
      { what: 'the burst under way', intervalMs: 50 },
    );
    first.kill('SIGKILL');
    assert.is(await first.exited, 'SIGKILL');
    await applying;
    const second = await startOperator(ns, started, 'op-second');
    await waitFor(
      async () => {
        const deps = (await clients().apps.listNamespacedDeployment({ namespace: ns })).items;
        const sas = (await clients().core.listNamespacedServiceAccount({ namespace: ns })).items.filter(
          (s) => s.metadata?.name !== 'default',
        );
        const rb = await roleBinding(ns);
        if (deps.length !== 50 || sas.length !== 50)
          throw new Error(`${deps.length} Deployments, ${sas.length} ServiceAccounts`);
        if ((rb?.subjects?.length ?? 0) !== 50) throw new Error(`${rb?.subjects?.length ?? 0} subjects`);
        return true;
      },
      { what: '50 of everything', timeoutMs: 120_000 },
    );
    const deps = (await clients().apps.listNamespacedDeployment({ namespace: ns })).items;
    assert.equal(deps.map((d) => d.metadata?.name).sort(), names);
    for (const d of deps) assert.is(owners(d).length, 1, `${d.metadata?.name} has one owner`);
    const rb = (await roleBinding(ns)) as V1RoleBinding;
    const subjects = (rb.subjects ?? []).map((s) => s.name);
    assert.is(new Set(subjects).size, 50, 'no duplicate subjects');
    assert.is(new Set(owners(rb)).size, 50, 'one owner reference per resource');
    const roles = (await clients().rbac.listNamespacedRole({ namespace: ns })).items.map((r) => r.metadata?.name);
    assert.equal(
      roles.filter((r) => !r?.endsWith('-membership')),
      ['pod-reader'],
      'one shared Role',
    );
    assert.is(roles.filter((r) => r?.endsWith('-membership')).length, 50, "and each agent cluster's own");
    await waitFor(
      async () => {
        const list = JSON.parse(
          (await kubectl(['get', 'clusterbootstraps', '-o', 'json'], { namespace: ns })).stdout,
        ) as {
          items: Cb[];
        };
        const notReady = list.items.filter((c) => condition(c, 'ResourcesReady')?.status !== 'True');
        if (notReady.length) throw new Error(`${notReady.length} not ResourcesReady`);
        return true;
      },
      { what: 'every resource ResourcesReady', timeoutMs: 60_000 },
    );
    assert.is(await second.metric('pekko_bootstrap_operator_reconcile_duration_seconds_count', 'result="error"'), 0);
  });
});

test('two replicas: one leads; when the leader is killed the other takes over', async () => {
  await scenario(async (ns, started) => {
    const env = { LEADER_ELECTION: 'true', LEADER_ELECTION_NAMESPACE: ns };
    const a = await startOperator(ns, started, 'op-a', env);
    const b = await startOperator(ns, started, 'op-b', env);
    const leases = clients().kc.makeApiClient(CoordinationV1Api);
    const holder = async () =>
      (await maybe(leases.readNamespacedLease({ name: 'pekko-bootstrap-operator', namespace: ns })))?.spec
        ?.holderIdentity;
    const leaderName = await waitFor(holder, { what: 'a lease holder' });
    const [leader, follower] = leaderName === 'op-a' ? [a, b] : [b, a];
    await waitFor(async () => (await leader.metric('pekko_bootstrap_operator_leader')) === 1, { what: 'leader gauge' });
    assert.is(await follower.metric('pekko_bootstrap_operator_leader'), 0);
    await applyCb(ns, 'one');
    await waitChildren(ns, 'one');
    assert.ok((await leader.metric('pekko_bootstrap_operator_reconcile_duration_seconds_count')) > 0);
    assert.is(
      await follower.metric('pekko_bootstrap_operator_reconcile_duration_seconds_count'),
      0,
      'the follower does not reconcile',
    );
    assert.is((await follower.get('/readyz')).status, 200, 'a follower is ready (its caches are synced)');

    const killedAt = Date.now();
    leader.kill('SIGKILL');
    await applyCb(ns, 'two');
    await waitFor(async () => !!(await deployment(ns, 'two')), {
      what: 'the follower to take over and reconcile',
      timeoutMs: 60_000,
    });
    const failoverMs = Date.now() - killedAt;
    assert.is(await holder(), follower.name);
    assert.is(await follower.metric('pekko_bootstrap_operator_leader'), 1);
    process.stdout.write(
      `  failover: leader SIGKILLed -> new resource reconciled by the other replica in ${failoverMs} ms\n`,
    );
    assert.ok(failoverMs < 30_000, `failover took ${failoverMs} ms`);
    // A graceful stop releases the lease at once.
    assert.is(await follower.stop(), 0);
    await waitFor(async () => (await holder()) === '', { what: 'the lease released', timeoutMs: 10_000 });
  });
});

test.run();
