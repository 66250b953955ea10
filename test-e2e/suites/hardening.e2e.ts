// Issue 11 on the real local cluster, with one operator process and one namespace for the whole suite:
// - an edit the API server accepts and the operator rejects freezes the children: the Deployment stays as it was,
//   read-pods keeps the account (also across an operator restart), a pod replaced meanwhile still joins, and the
//   status says InvalidSpec for that generation;
// - an apply the API server refuses (a ValidatingAdmissionPolicy denying the Deployment) reaches status as
//   ApplyFailed with the API's message and a Warning Event, the rest is still observed, and it heals when the
//   policy goes;
// - an account of the resource's name that the operator did not make (a resource named `default`) is never used or
//   bound until spec.serviceAccountName says so; the account the operator made goes once it is no longer used;
// - no ReplicaSet ever failed to create a pod for a missing ServiceAccount.
import type { V1Deployment } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ClusterBootstrap, FORMATION_ANNOTATION } from '../../core/api/types.ts';
import {
  applyClusterBootstrap,
  clients,
  clusterMembersAt,
  describePods,
  dumpNamespace,
  E2E_LABEL,
  ensureCrd,
  isReady,
  kubectl,
  listPods,
  Operator,
  waitFor,
} from '../lib/index.ts';

const IMAGE = 'pekko-bootstrap-agent:dev';
const FORM_TIMEOUT = 180_000;

let ns = '';
let op: Operator | undefined;

/** Runs a test body; on failure prints the namespace's diagnostics and the operator's log tail. */
async function step(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    await dumpNamespace(ns, {
      objects: ['clusterbootstraps', 'deployments', 'serviceaccounts', 'rolebindings'],
    });
    if (op) process.stderr.write(`----- operator log (${op.logFile})\n${op.tail(80)}\n`);
    throw err;
  }
}

test.before(async () => {
  await ensureCrd();
  const { core } = clients();
  ns = `hard-${Math.random().toString(16).slice(2, 8)}`;
  await core.createNamespace({ body: { metadata: { name: ns, labels: { [E2E_LABEL]: 'true' } } } });
  await waitFor(() => core.readNamespacedServiceAccount({ name: 'default', namespace: ns }), {
    what: `the default ServiceAccount in ${ns}`,
    timeoutMs: 30_000,
  });
  op = await Operator.start(ns, 'op-0');
});

test.after(async () => {
  await op?.stop();
  await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', `deny-${ns}`], {
    check: false,
  });
  await clients()
    .core.deleteNamespace({ name: ns })
    .catch(() => undefined);
});

// ---- reading what the operator did -----------------------------------------------------------------------------

async function getCb(name: string): Promise<ClusterBootstrap> {
  return JSON.parse((await kubectl(['get', 'clusterbootstrap', name, '-o', 'json'], { namespace: ns })).stdout);
}

const condition = (cb: ClusterBootstrap, type: string) => cb.status?.conditions?.find((c) => c.type === type);

/** Waits until the condition has this reason for the resource's current generation. */
function waitCondition(name: string, type: string, reason: string, timeoutMs = 60_000): Promise<ClusterBootstrap> {
  return waitFor(
    async () => {
      const cb = await getCb(name);
      const c = condition(cb, type);
      if (c?.reason !== reason || c.observedGeneration !== cb.metadata.generation) {
        throw new Error(`${type}: ${c?.reason} (generation ${c?.observedGeneration} of ${cb.metadata.generation})`);
      }
      return cb;
    },
    { what: `${name}: ${type} ${reason}`, timeoutMs },
  );
}

async function maybe<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const deployment = (name: string) => maybe(clients().apps.readNamespacedDeployment({ name, namespace: ns }));
const serviceAccount = (name: string) => maybe(clients().core.readNamespacedServiceAccount({ name, namespace: ns }));
const boundAccounts = async () =>
  ((await maybe(clients().rbac.readNamespacedRoleBinding({ name: 'read-pods', namespace: ns })))?.subjects ?? []).map(
    (s) => s.name,
  );

async function warnings(name: string, reason: string): Promise<string[]> {
  const out = await kubectl(['get', 'events.events.k8s.io', '-o', 'json'], { namespace: ns });
  const items = (
    JSON.parse(out.stdout) as {
      items: { regarding?: { name?: string }; type?: string; reason?: string; note?: string }[];
    }
  ).items;
  return items
    .filter((e) => e.regarding?.name === name && e.type === 'Warning' && e.reason === reason)
    .map((e) => e.note ?? '');
}

async function canListPods(account: string): Promise<boolean> {
  const r = await kubectl(['auth', 'can-i', 'list', 'pods', '-n', ns, `--as=system:serviceaccount:${ns}:${account}`], {
    check: false,
  });
  return r.stdout.trim() === 'yes';
}

// ---- the tests -------------------------------------------------------------------------------------------------

test('a spec the operator rejects freezes the children; read-pods keeps the account; a replaced pod still joins', () =>
  step(async () => {
    const spec = { image: IMAGE, workload: 'agent', replicas: 2 };
    await applyClusterBootstrap(ns, 'frozen', spec);
    await waitFor(
      async () => {
        const pods = (await listPods(ns, 'app.kubernetes.io/instance=frozen')).filter(isReady);
        if (pods.length !== 2) throw new Error(describePods(pods));
        return true;
      },
      { what: '2 Ready pods of frozen (Ready = an Up member)', timeoutMs: FORM_TIMEOUT },
    );
    // The operator records the formation on the Deployment (an annotation: it bumps a Deployment's generation) a
    // moment after the pods are Ready; the snapshot is taken after that write.
    const before = await waitFor(
      async () => {
        const d = await deployment('frozen');
        if (!d?.metadata?.annotations?.[FORMATION_ANNOTATION]) throw new Error('no formation recorded yet');
        return d;
      },
      { what: 'the formation recorded on the Deployment', timeoutMs: 30_000 },
    );

    // Accepted by the API server (template is free-form), rejected by the operator.
    await applyClusterBootstrap(ns, 'frozen', {
      ...spec,
      replicas: 3,
      template: { spec: { containers: [{ name: 'app', image: 'registry.example/other:2' }] } },
    });
    await waitCondition('frozen', 'ResourcesReady', 'InvalidSpec');

    // A new operator process: nothing in memory.
    await op?.stop();
    op = await Operator.start(ns, 'op-1');

    // A pod replaced now must still list pods and join.
    const [victim] = await listPods(ns, 'app.kubernetes.io/instance=frozen');
    await kubectl(['delete', 'pod', victim?.metadata?.name ?? '', '--wait=false'], { namespace: ns });
    const replacement = await waitFor(
      async () => {
        const pods = (await listPods(ns, 'app.kubernetes.io/instance=frozen')).filter(isReady);
        const fresh = pods.find((p) => p.metadata?.uid !== victim?.metadata?.uid);
        if (pods.length !== 2 || !fresh) throw new Error(describePods(pods));
        return fresh;
      },
      { what: 'the replacement pod Ready (an Up member)', timeoutMs: FORM_TIMEOUT },
    );
    const members = await clusterMembersAt(replacement.status?.podIP ?? '');
    assert.ok(members.ok, members.ok ? '' : members.error);
    assert.is(members.ok && members.value.members.filter((m) => m.status === 'Up').length, 2);
    assert.equal(await boundAccounts(), ['frozen'], 'read-pods still binds the frozen pods');
    assert.ok(await canListPods('frozen'));
    const after = (await deployment('frozen')) as V1Deployment;
    assert.is(after.metadata?.generation, before.metadata?.generation, 'the Deployment is left as it was');
    assert.is(after.spec?.replicas, 2);

    const cb = await getCb('frozen');
    for (const type of ['ResourcesReady', 'Ready']) {
      const c = condition(cb, type);
      assert.is(c?.status, 'False', type);
      assert.is(c?.reason, 'InvalidSpec', type);
      assert.is(c?.observedGeneration, cb.metadata.generation, type);
      assert.match(c?.message ?? '', 'spec.template.spec.containers[0].image', type);
    }
    assert.is(cb.status?.observedGeneration, cb.metadata.generation);

    // Fixed: applied again.
    await applyClusterBootstrap(ns, 'frozen', { ...spec, replicas: 2 });
    await waitCondition('frozen', 'ResourcesReady', 'Applied');
  }));

test('a Deployment refused by a ValidatingAdmissionPolicy: ApplyFailed with its message, a Warning, status observed', () =>
  step(async () => {
    const message = `e2e ${ns}: Deployments of refused are not allowed`;
    const policy = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: `deny-${ns}` },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] },
          ],
        },
        validations: [{ expression: "object.metadata.name != 'refused'", message }],
      },
    };
    const binding = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: `deny-${ns}` },
      spec: {
        policyName: `deny-${ns}`,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } },
      },
    };
    await kubectl(['apply', '-f', '-'], { input: [policy, binding].map((o) => JSON.stringify(o)).join('\n') });
    // The API server compiles the policy in the background: wait until it denies.
    await waitFor(
      async () => {
        const r = await kubectl(
          ['create', 'deployment', 'refused', `--image=${IMAGE}`, '--dry-run=server', '-o', 'name'],
          { namespace: ns, check: false },
        );
        return r.code !== 0 && r.stderr.includes(message);
      },
      { what: 'the policy in force', timeoutMs: 30_000 },
    );

    await applyClusterBootstrap(ns, 'refused', { image: IMAGE, workload: 'agent', replicas: 1 });
    const cb = await waitCondition('refused', 'ResourcesReady', 'ApplyFailed');
    const c = condition(cb, 'ResourcesReady');
    assert.is(c?.status, 'False');
    assert.match(c?.message ?? '', message);
    assert.is(cb.status?.phase, 'Pending', 'the pods were still observed');
    assert.ok(condition(cb, 'ContactPointsDiscovered'), 'and their conditions written');
    assert.ok(await serviceAccount('refused'), 'the ServiceAccount before it was applied');
    assert.not.ok(await deployment('refused'));
    await waitFor(async () => (await warnings('refused', 'ApplyFailed')).some((n) => n.includes(message)), {
      what: 'a Warning Event ApplyFailed with the policy message',
      timeoutMs: 20_000,
    });

    // The policy goes: the retry (backoff) applies it.
    await kubectl(['delete', 'validatingadmissionpolicybinding', `deny-${ns}`]);
    await waitCondition('refused', 'ResourcesReady', 'Applied', 90_000);
    assert.ok(await deployment('refused'));
  }));

test('a ServiceAccount of the same name that the operator did not make is never used or bound', () =>
  step(async () => {
    // Every namespace has a ServiceAccount named default.
    await applyClusterBootstrap(ns, 'default', { image: IMAGE, workload: 'agent', replicas: 1 });
    const cb = await waitCondition('default', 'ResourcesReady', 'Conflict');
    const message = condition(cb, 'ResourcesReady')?.message ?? '';
    assert.match(message, 'ServiceAccount default exists and is not managed by pekko-bootstrap-operator');
    assert.match(message, 'set spec.serviceAccountName: default');
    assert.match(
      message,
      'RoleBinding default-membership, Deployment default are not applied until ServiceAccount default is in place',
    );
    assert.not.ok(await deployment('default'), 'no pod runs as an account nobody chose');
    assert.not.ok((await boundAccounts()).includes('default'), 'and it is not bound');
    assert.not.ok(await canListPods('default'));

    // Told to use it: resolved.
    await applyClusterBootstrap(ns, 'default', {
      image: IMAGE,
      workload: 'agent',
      replicas: 1,
      serviceAccountName: 'default',
    });
    await waitCondition('default', 'ResourcesReady', 'Applied');
    assert.is((await deployment('default'))?.spec?.template?.spec?.serviceAccountName, 'default');
    assert.ok((await boundAccounts()).includes('default'));
  }));

test('the ServiceAccount the operator made goes once spec.serviceAccountName names another', () =>
  step(async () => {
    await applyClusterBootstrap(ns, 'switch', { image: IMAGE, workload: 'agent', replicas: 0 });
    await waitFor(() => serviceAccount('switch'), { what: 'ServiceAccount switch' });
    await applyClusterBootstrap(ns, 'switch', {
      image: IMAGE,
      workload: 'agent',
      replicas: 0,
      serviceAccountName: 'default',
    });
    await waitFor(async () => !(await serviceAccount('switch')), { what: 'ServiceAccount switch removed' });
    await waitCondition('switch', 'ResourcesReady', 'Applied');
  }));

test('no ReplicaSet failed to create a pod for want of its ServiceAccount', () =>
  step(async () => {
    const out = await kubectl(['get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'json'], {
      namespace: ns,
    });
    const notes = (JSON.parse(out.stdout) as { items: { message?: string }[] }).items.map((e) => e.message);
    assert.equal(
      notes.filter((n) => n?.includes('serviceaccount')),
      [],
    );
  }));

test.run();
