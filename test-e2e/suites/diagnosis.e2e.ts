// Why a cluster does not form (issue 18, part 4), on the real local cluster: each cause is made for real and the
// resource's ClusterFormed condition must name it, with the fix in its message (docs/operations.md,
// troubleshooting). One operator watches three namespaces (a foreign RoleBinding read-pods and a ResourceQuota act on
// a whole namespace, so those two causes get their own); every cause is set up at once in test.before, and each test
// reads, from a watch that records every status with its arrival time, how long the condition took after its cause.
// Agent pods throughout (they start in well under a second): none of these causes needs a JVM.
import { randomBytes } from 'node:crypto';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import {
  applyClusterBootstrap,
  clients,
  dumpNamespace,
  E2E_LABEL,
  e2eEnv,
  ensureCrd,
  heal,
  isReady,
  kubectl,
  listPods,
  loudly,
  NamespaceStatusLog,
  Operator,
  partition,
  podNetwork,
  registerImages,
  unregisterImages,
  waitFor,
} from '../lib/index.ts';

const AGENT = 'pekko-bootstrap-agent:dev';
const INSTANCE = 'app.kubernetes.io/instance';
const MAP = 'diagnosis-e2e';
// biome-ignore lint/suspicious/noTemplateCurlyInString: image-map placeholders
const NODE = '${NODE}';
const IMAGES = {
  // an app that exits at once with status 3
  'pbo-diag-crash:1': { command: [NODE, '-e', 'process.exit(3)'] },
  // an app beside the agent sidecar that serves nothing
  'pbo-diag-idle:1': { command: [NODE, '-e', 'setInterval(() => {}, 1 << 30)'] },
};
const STALL_MARGIN = '12s';

const formedCond = (cb: ClusterBootstrap | undefined) =>
  cb?.status?.conditions?.find((c) => c.type === 'ClusterFormed');
const describe = (cb: ClusterBootstrap) => {
  const c = formedCond(cb);
  return `${cb.status?.phase}: ClusterFormed ${c?.status}/${c?.reason}: ${c?.message}`;
};
const hasReason = (reason: string) => (cb: ClusterBootstrap) => formedCond(cb)?.reason === reason;

let op: Operator | undefined;
const ns = { main: '', rbac: '', quota: '' };
const logs = new Map<string, NamespaceStatusLog>();
/** When each cause was made (Date.now()), by resource. */
const causedAt = new Map<string, number>();
const figures: string[] = [];
let failed = false;
/** The stall test's cut: made in test.before, before its pods' stable margin ends. */
let stallCut: Promise<{ at: number }> | undefined;

async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await clients().core.createNamespace({ body: { metadata: { name, labels: { [E2E_LABEL]: 'true' } } } });
  await waitFor(() => clients().core.readNamespacedServiceAccount({ name: 'default', namespace: name }), {
    what: `the default ServiceAccount in ${name}`,
    timeoutMs: 30_000,
  });
  return name;
}

async function cause(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  causedAt.set(name, Date.now());
  await applyClusterBootstrap(namespace, name, { image: AGENT, workload: 'agent', ...spec });
}

/** Waits for the reason, prints and records cause → condition, returns the resource as it was then. */
async function reasonOf(
  namespace: string,
  name: string,
  reason: string,
  what = reason,
  timeoutMs = 90_000,
): Promise<ClusterBootstrap> {
  const since = causedAt.get(name) ?? 0;
  const log = logs.get(namespace) as NamespaceStatusLog;
  const hit = await log.first(name, hasReason(reason), { since, timeoutMs, what: `ClusterFormed ${reason}`, describe });
  const line = `${what}: ${hit.at - since} ms from the cause to ClusterFormed reason ${reason}`;
  figures.push(line);
  console.log(`  ${line}\n    message: ${formedCond(hit.cb)?.message}`);
  return hit.cb;
}

/** Runs a test body; on failure prints the namespace and the operator's log. */
async function dumping(namespace: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    failed = true;
    await dumpNamespace(namespace, { objects: ['clusterbootstraps', 'deployments'] });
    process.stderr.write(`----- operator log (${op?.logFile})\n${op?.tail(60)}\n`);
    throw err;
  }
}

/** Both pods of `name` Running with an address, then cut apart at once (before their stable margin ends). */
async function cutStallPods(namespace: string, name: string): Promise<{ at: number }> {
  const pods = await waitFor(
    async () => {
      const ps = await listPods(namespace, `${INSTANCE}=${name}`);
      if (ps.length !== 2 || !ps.every((p) => p.status?.phase === 'Running' && p.status.podIP))
        throw new Error('not yet');
      return ps;
    },
    { what: `2 running pods of ${name}`, timeoutMs: 60_000, intervalMs: 100 },
  );
  await partition([pods[0] as V1Pod], [pods[1] as V1Pod]);
  const at = Date.now();
  causedAt.set(name, at);
  console.log(`  ${name}: pods cut apart ${at - (causedAt.get(`${name}:applied`) ?? at)} ms after the apply`);
  return { at };
}

test.before(
  loudly('three namespaces, one operator, every cause at once', async () => {
    await ensureCrd();
    registerImages(MAP, IMAGES);
    const [main, rbac, quota] = await Promise.all(['diag', 'diag-rbac', 'diag-quota'].map(createNamespace));
    Object.assign(ns, { main, rbac, quota });
    // What acts on a whole namespace comes first: a RoleBinding read-pods the operator does not manage (binding no
    // one to no Role), and a quota of one pod.
    await kubectl(['apply', '-f', '-'], {
      namespace: ns.rbac,
      input: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'read-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'nothing' },
        subjects: [{ kind: 'ServiceAccount', name: 'nobody', namespace: ns.rbac }],
      }),
    });
    await kubectl(['apply', '-f', '-'], {
      namespace: ns.quota,
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'pods' },
        spec: { hard: { pods: '1' } },
      }),
    });
    op = await Operator.start(ns.main, 'operator', { WATCH_NAMESPACES: Object.values(ns).join(',') });
    for (const n of Object.values(ns)) logs.set(n, await new NamespaceStatusLog(n).start());

    causedAt.set('stall:applied', Date.now());
    await cause(ns.main, 'stall', { replicas: 2, bootstrap: { stableMargin: STALL_MARGIN } });
    stallCut = podNetwork().mode === 'netns' ? cutStallPods(ns.main, 'stall') : undefined;
    stallCut?.catch(() => undefined); // awaited by its test
    await Promise.all([
      cause(ns.main, 'few', { replicas: 1, bootstrap: { requiredContactPoints: 2 } }),
      cause(ns.main, 'pull', { image: 'pbo-diag-missing:1', replicas: 1 }),
      cause(ns.main, 'crash', { image: 'pbo-diag-crash:1', replicas: 1 }),
      cause(ns.main, 'twoports', {
        image: 'pbo-diag-idle:1',
        agent: { image: AGENT },
        replicas: 1,
        template: { spec: { containers: [{ name: 'app', ports: [{ name: 'management', containerPort: 8080 }] }] } },
      }),
      // Pods that would not form before the test edits their Deployment.
      cause(ns.main, 'noport', { replicas: 1, strategy: { type: 'Recreate' }, bootstrap: { stableMargin: '300s' } }),
      cause(ns.main, 'sel', {
        replicas: 1,
        strategy: { type: 'Recreate' },
        bootstrap: { podLabelSelector: 'app=%s,tier=backend' },
      }),
      ...['ovl-1', 'ovl-2'].map((name) =>
        cause(ns.main, name, {
          replicas: 1,
          bootstrap: { podLabelSelector: 'team=shared', stableMargin: '300s' },
          template: { metadata: { labels: { team: 'shared' } } },
        }),
      ),
      cause(ns.rbac, 'rbac', { replicas: 1 }),
      // Nothing wrong: it must form without ever showing a cause (beside the others, in the same namespace).
      cause(ns.main, 'healthy', { replicas: 2 }),
      cause(ns.quota, 'quota', { replicas: 2 }),
    ]);
  }),
);

test.after(async () => {
  await heal();
  for (const log of logs.values()) log.stop();
  await op?.stop();
  unregisterImages(MAP);
  if (!(failed && e2eEnv.keepFailedNamespaces)) {
    for (const n of Object.values(ns))
      if (n)
        await clients()
          .core.deleteNamespace({ name: n })
          .catch(() => undefined);
  }
  if (figures.length) console.log(`\nfigures of this run:\n  ${figures.join('\n  ')}`);
});

test('a healthy resource beside them forms without ever showing a cause', () =>
  dumping(ns.main, async () => {
    const log = logs.get(ns.main) as NamespaceStatusLog;
    const formed = await log.first('healthy', (cb) => cb.status?.phase === 'Formed', {
      timeoutMs: 120_000,
      what: 'Formed',
      describe,
    });
    const phases = new Set(['Pending', 'Discovering', 'Forming', 'Confirming', 'Formed']);
    const seen = log.samples('healthy').map((x) => formedCond(x.cb)?.reason ?? '(none)');
    assert.ok(
      seen.every((reason) => reason === '(none)' || phases.has(reason)),
      `ClusterFormed reasons seen: ${seen.join(', ')}`,
    );
    console.log(
      `  healthy: Formed ${formed.at - (causedAt.get('healthy') ?? 0)} ms after the apply, reasons seen: ${[...new Set(seen)].join(', ')}`,
    );
  }));

test('replicas below requiredContactPoints: ReplicasBelowRequired, with the scale command', () =>
  dumping(ns.main, async () => {
    const cb = await reasonOf(ns.main, 'few', 'ReplicasBelowRequired');
    const c = formedCond(cb);
    assert.is(c?.status, 'False');
    assert.match(c?.message ?? '', 'spec.replicas 1 is below requiredContactPoints 2');
    assert.match(c?.message ?? '', `kubectl -n ${ns.main} scale cb/few --replicas=2`);
    assert.is(cb.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'ReplicasBelowRequired');
  }));

test('a quota refuses a pod: ReplicaFailure, with the API server message', () =>
  dumping(ns.quota, async () => {
    const cb = await reasonOf(ns.quota, 'quota', 'ReplicaFailure');
    assert.match(
      formedCond(cb)?.message ?? '',
      /Deployment quota cannot create pods \(FailedCreate\): .*exceeded quota/,
    );
    assert.match(formedCond(cb)?.message ?? '', `kubectl -n ${ns.quota} describe resourcequota`);
  }));

test('an image that cannot be pulled: PodsNotRunning naming ErrImagePull or ImagePullBackOff', () =>
  dumping(ns.main, async () => {
    const cb = await reasonOf(ns.main, 'pull', 'PodsNotRunning', 'PodsNotRunning (image)');
    assert.match(
      formedCond(cb)?.message ?? '',
      /^1 of 1 pods not running: container app (ErrImagePull|ImagePullBackOff)/,
    );
    assert.match(formedCond(cb)?.message ?? '', 'check spec.image');
  }));

test('a container that keeps exiting: PodsNotRunning with its exit code and the log command', () =>
  dumping(ns.main, async () => {
    const log = logs.get(ns.main) as NamespaceStatusLog;
    await reasonOf(ns.main, 'crash', 'PodsNotRunning', 'PodsNotRunning (crash)');
    const hit = await log.first('crash', (cb) => /exit code 3/.test(formedCond(cb)?.message ?? ''), {
      timeoutMs: 60_000,
      what: 'the exit code in the message',
      describe,
    });
    const m = formedCond(hit.cb)?.message ?? '';
    assert.match(m, /container app (CrashLoopBackOff \(last exit code 3|exited: Error \(exit code 3)/);
    assert.match(m, `kubectl -n ${ns.main} logs crash-`);
  }));

test('a template port named like the management port beside the agent sidecar: ManagementPortMismatch', () =>
  dumping(ns.main, async () => {
    const cb = await reasonOf(ns.main, 'twoports', 'ManagementPortMismatch');
    assert.match(formedCond(cb)?.message ?? '', 'declares the port name management on container app port 8080');
    assert.match(formedCond(cb)?.message ?? '', 'remove or rename that port in spec.template');
  }));

test('the management port renamed in the Deployment (paused, edited by hand): ManagementPortMissing', () =>
  dumping(ns.main, async () => {
    const log = logs.get(ns.main) as NamespaceStatusLog;
    const name = 'noport';
    await kubectl(['patch', 'cb', name, '--type', 'merge', '-p', '{"spec":{"paused":true}}'], { namespace: ns.main });
    await log.first(name, (cb) => cb.status?.conditions?.some((c) => c.reason === 'Paused') ?? false, {
      timeoutMs: 30_000,
      what: 'ResourcesReady Paused',
    });
    const { apps } = clients();
    const dep = await apps.readNamespacedDeployment({ name, namespace: ns.main });
    const app = dep.spec?.template.spec?.containers.find((c) => c.name === 'app') as V1Container;
    for (const p of app.ports ?? []) if (p.name === 'management') p.name = 'mgmt';
    for (const probe of [app.readinessProbe, app.livenessProbe]) if (probe?.httpGet) probe.httpGet.port = 7626;
    causedAt.set(name, Date.now());
    await apps.replaceNamespacedDeployment({ name, namespace: ns.main, body: dep });
    const cb = await reasonOf(ns.main, name, 'ManagementPortMissing');
    assert.match(formedCond(cb)?.message ?? '', /^pod noport-\S+ declares no container port named management/);
    assert.match(formedCond(cb)?.message ?? '', `kubectl -n ${ns.main} get deployment noport -o yaml`);
  }));

test("the pods' ServiceAccount may not list pods: PodListForbidden; once read-pods is the operator's, Formed", () =>
  dumping(ns.rbac, async () => {
    const cb = await reasonOf(ns.rbac, 'rbac', 'PodListForbidden');
    const m = formedCond(cb)?.message ?? '';
    assert.match(m, `ServiceAccount rbac cannot list pods in namespace ${ns.rbac}`);
    assert.match(m, `Role pod-reader and RoleBinding read-pods in ${ns.rbac}`);
    assert.match(m, `kubectl auth can-i list pods -n ${ns.rbac} --as=system:serviceaccount:${ns.rbac}:rbac`);
    // The fix: the hand-made binding goes, the operator makes its own (its conflict re-check: 30 s).
    const tFix = Date.now();
    await kubectl(['delete', 'rolebinding', 'read-pods'], { namespace: ns.rbac });
    const log = logs.get(ns.rbac) as NamespaceStatusLog;
    const back = await log.first('rbac', (x) => x.status?.phase === 'Formed', {
      since: tFix,
      timeoutMs: 120_000,
      what: 'Formed once read-pods binds the account',
      describe,
    });
    figures.push(`PodListForbidden fixed (foreign read-pods deleted) -> Formed: ${back.at - tFix} ms`);
    console.log(`  ${figures.at(-1)}`);
  }));

test("a selector that matches none of the resource's pods: SelectorMatchesNone", () =>
  dumping(ns.main, async () => {
    const cb = await reasonOf(ns.main, 'sel', 'SelectorMatchesNone');
    assert.match(formedCond(cb)?.message ?? '', 'bootstrap.podLabelSelector app=sel,tier=backend matches none');
    assert.match(formedCond(cb)?.message ?? '', 'spec.template.metadata.labels');
  }));

test("a selector that also matches another resource's pods: SelectorOverlap on both", () =>
  dumping(ns.main, async () => {
    for (const [name, other] of [
      ['ovl-1', 'ovl-2'],
      ['ovl-2', 'ovl-1'],
    ] as const) {
      const cb = await reasonOf(ns.main, name, 'SelectorOverlap', `SelectorOverlap (${name})`);
      assert.match(
        formedCond(cb)?.message ?? '',
        `bootstrap.podLabelSelector team=shared also matches pods of ClusterBootstrap ${other}`,
      );
      assert.is(cb.status?.conditions?.find((c) => c.type === 'ContactPointsDiscovered')?.reason, 'SelectorOverlap');
    }
  }));

test('pods that answer but cannot reach each other (cut apart): FormationStalled; healed, Formed', () =>
  dumping(ns.main, async () => {
    if (!stallCut) {
      console.log('  skipped: the cluster uses loopback pod IPs, no partitions');
      return;
    }
    await stallCut;
    const cb = await reasonOf(ns.main, 'stall', 'FormationStalled', 'FormationStalled (pods cut apart)', 120_000);
    const m = formedCond(cb)?.message ?? '';
    assert.match(m, /^2 of 2 contact points answer the operator, but none has formed or joined a cluster/);
    assert.match(m, 'NetworkPolicy');
    assert.ok(
      (await listPods(ns.main, `${INSTANCE}=stall`)).every((p) => !isReady(p)),
      'no pod joined anything',
    );
    const tHeal = Date.now();
    await heal();
    const log = logs.get(ns.main) as NamespaceStatusLog;
    const back = await log.first('stall', (x) => x.status?.phase === 'Formed', {
      since: tHeal,
      timeoutMs: 90_000,
      what: 'Formed once healed',
      describe,
    });
    figures.push(`FormationStalled healed -> Formed: ${back.at - tHeal} ms`);
    console.log(`  ${figures.at(-1)}`);
  }));

test.run();
