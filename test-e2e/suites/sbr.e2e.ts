// Pekko's Split Brain Resolver under real network partitions (issue 19): the real Pekko sample (Pekko 1.1.5,
// Management 1.1.1, pekko-lease-kubernetes 1.1.1) through the operator, with spec.splitBrainResolver, on the local
// cluster whose pods have network namespaces (test-e2e/lib/partition.ts cuts groups of pods apart, silently, both
// ways; the API server stays reachable). Every cut is healed in a finally. What each test asserts from the nodes'
// own answers (GET /cluster/members), the pods' restarts, the resource's status (from a watch) and its Events.
// The figures it prints are in docs/split-brain.md and bench/results/split-brain.md.
import { CoordinationV1Api, type V1Lease, type V1Pod, type V1Role } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import {
  applyClusterBootstrap,
  clients,
  ensureCrd,
  heal,
  kubectl,
  listPods,
  loudly,
  partition,
  podNetwork,
  waitFor,
  whileQuiet,
  withOperator,
} from '../lib/index.ts';
import {
  buildSample,
  foundings,
  membersAt,
  nodeOf,
  oneCluster,
  restarts,
  SAMPLE,
  StatusLog,
  watchOneCluster,
} from '../lib/pekko-sample.ts';

const net = podNetwork();
const it = net.mode === 'netns' ? test : test.skip;
if (net.mode !== 'netns') console.log(`sbr suite skipped: partitions need pod network namespaces (${net.reason})`);

const NAME = 'sample';
const LEASE = 'sample-pekko-sbr';
/** The shortest stable-after that is still safe here: Pekko marks a silent node unreachable after about 4 s. */
const STABLE_AFTER = '5s';

const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  console.log(`figure: ${line}`);
};
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

test.before(
  loudly('build the sample app and apply the CRD', async () => {
    console.log(`pekko-sample jar ${buildSample()}`);
    await ensureCrd();
  }),
);
test.after(async () => {
  await heal();
  if (figures.length) console.log(`\nfigures of this run:\n  ${figures.join('\n  ')}`);
});

const sampleSpec = (replicas: number, sbr: Record<string, unknown>) => ({
  image: SAMPLE.image,
  workload: 'pekko',
  actorSystemName: SAMPLE.system,
  replicas,
  splitBrainResolver: { stableAfter: STABLE_AFTER, ...sbr },
});

const coordination = (): CoordinationV1Api => clients().kc.makeApiClient(CoordinationV1Api);

async function readLease(ns: string, name = LEASE): Promise<V1Lease | undefined> {
  return coordination()
    .readNamespacedLease({ namespace: ns, name })
    .catch((err: { code?: number }) => {
      if (err.code === 404) return undefined;
      throw err;
    });
}

const readPod = (ns: string, p: V1Pod) =>
  clients().core.readNamespacedPod({ namespace: ns, name: p.metadata?.name ?? '' });
const leaseReady = (s: ClusterBootstrapStatus) => s.conditions?.find((c) => c.type === 'LeaseReady');

/** The notes of the resource's Events of one reason (events.k8s.io, as the operator records them). */
async function eventNotes(ns: string, reason: string): Promise<string[]> {
  const out = await kubectl(['get', 'events.events.k8s.io', '-o', 'json'], { namespace: ns });
  const items = JSON.parse(out.stdout).items as { reason?: string; note?: string; regarding?: { kind?: string } }[];
  return items.filter((e) => e.reason === reason && e.regarding?.kind === 'ClusterBootstrap').map((e) => e.note ?? '');
}

async function javaToolOptions(ns: string): Promise<string> {
  const d = await clients().apps.readNamespacedDeployment({ namespace: ns, name: NAME });
  const app = d.spec?.template.spec?.containers.find((c) => c.name === 'app');
  return app?.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS')?.value ?? '';
}

/** The nodes of `pods` each report exactly `pods` as members, all Up, none unreachable. */
async function viewIs(pods: V1Pod[]): Promise<true> {
  const want = pods.map((p) => `${nodeOf(p)}:Up`).sort();
  for (const p of pods) {
    const m = await membersAt(p.status?.podIP ?? '');
    const got = m?.members.map((x) => `${x.node}:${x.status}`).sort() ?? [];
    if (!m || got.join() !== want.join() || m.unreachable.length) {
      throw new Error(`${p.metadata?.name}: ${JSON.stringify(got)} unreachable ${JSON.stringify(m?.unreachable)}`);
    }
  }
  return true;
}

/**
 * Cuts `losers` from `winners` and waits for the resolver: the status goes Degraded naming the losers, the winners
 * see only each other, and every loser's container exits and restarts (with Pekko's exit status for a downed node)
 * while still cut off, without founding a cluster of its own. Heals in a finally, then waits for one cluster of all
 * and status Formed. Records the times; `winners` undefined: the side that holds the lease wins (lease-majority).
 */
async function partitionAndResolve(
  ns: string,
  log: StatusLog,
  label: string,
  sides: { a: V1Pod[]; b: V1Pod[] },
  decide: () => Promise<{ winners: V1Pod[]; losers: V1Pod[] }>,
): Promise<{ winners: V1Pod[]; losers: V1Pod[] }> {
  const all = [...sides.a, ...sides.b];
  const before = new Map(all.map((p) => [p.metadata?.name, restarts(p)]));
  const watcher = watchOneCluster(ns, all.map(nodeOf));
  let watching = true;
  try {
    const t0 = Date.now();
    const cut = await partition(sides.a, sides.b);
    let resolved: { winners: V1Pod[]; losers: V1Pod[] };
    let tDegraded: number;
    let tResolved: number;
    let tRestarted: number;
    try {
      const degraded = await log.until((s) => s.phase === 'Degraded', 'status Degraded', 60_000, t0);
      tDegraded = degraded.at;
      resolved = await decide();
      const { winners, losers } = resolved;
      const lostNodes = losers.map(nodeOf);
      await waitFor(
        () => log.samples.some((x) => x.at >= t0 && lostNodes.every((n) => (x.status.message ?? '').includes(n))),
        { what: `a Degraded status naming ${lostNodes.join(', ')}`, timeoutMs: 30_000 },
      );
      await waitFor(() => viewIs(winners), { what: `${label}: the winners see only each other`, timeoutMs: 60_000 });
      tResolved = Date.now();
      const exits = await waitFor(
        async () => {
          const now = await Promise.all(losers.map((p) => readPod(ns, p)));
          const waiting = now.filter((p) => restarts(p) <= (before.get(p.metadata?.name) ?? 0));
          if (waiting.length) throw new Error(`not restarted yet: ${waiting.map((p) => p.metadata?.name).join(', ')}`);
          return now.map((p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode);
        },
        { what: `${label}: the downed pods restart`, timeoutMs: 90_000, intervalMs: 500 },
      );
      tRestarted = Date.now();
      // ClusterDowningReason's exit-code -1: the JVM exits with 255 (coordinated-shutdown.exit-jvm, from the operator)
      assert.equal(
        exits,
        losers.map(() => 255),
        'exit status of a downed node',
      );
      for (const p of await Promise.all(winners.map((w) => readPod(ns, w)))) {
        assert.is(
          restarts(p),
          before.get(p.metadata?.name),
          `${p.metadata?.name} on the surviving side did not restart`,
        );
      }
    } finally {
      await cut.heal();
    }
    const tHeal = Date.now();
    await oneCluster(ns, all.length, 120_000);
    const tOne = Date.now();
    const formed = await log.until(
      (s) => s.phase === 'Formed' && s.members === all.length,
      `status Formed with ${all.length} members`,
      60_000,
      tHeal,
    );
    watching = false;
    const { problems, samples } = await watcher.stop();
    assert.equal(problems, [], `never two clusters (${samples} samples of every pod)`);
    assert.is(foundings(ns), 1, 'one node ever founded a cluster');
    const downed = log.latest().splitBrainResolver?.downed?.map((d) => d.node) ?? [];
    for (const n of resolved.losers.map(nodeOf)) assert.ok(downed.includes(n), `${n} in status downed: ${downed}`);
    const notes = await eventNotes(ns, 'MemberDowned');
    for (const n of resolved.losers.map(nodeOf))
      assert.ok(
        notes.some((x) => x.includes(n)),
        `MemberDowned ${n}`,
      );
    figure(
      `${label}: cut → Degraded ${secs(tDegraded - t0)}, → resolved (winners see only each other) ` +
        `${secs(tResolved - t0)}, → downed pods restarted ${secs(tRestarted - t0)}; heal → one cluster ` +
        `${secs(tOne - tHeal)}, → status Formed ${secs(formed.at - tHeal)}; ${samples} samples, one cluster throughout`,
    );
    return resolved;
  } finally {
    if (watching) await watcher.stop();
  }
}

it('keep-majority, 3 replicas: an isolated member is downed by the majority, its pod restarts and rejoins; status Degraded naming it, then Formed', () =>
  withOperator(async (ns) => {
    const log = await new StatusLog(ns, NAME).start();
    try {
      await applyClusterBootstrap(ns, NAME, sampleSpec(3, { strategy: 'keep-majority' }));
      const formed = await oneCluster(ns, 3, 120_000);
      const java = await javaToolOptions(ns);
      for (const flag of [
        '-Dpekko.cluster.downing-provider-class=org.apache.pekko.cluster.sbr.SplitBrainResolverProvider',
        '-Dpekko.cluster.split-brain-resolver.active-strategy=keep-majority',
        `-Dpekko.cluster.split-brain-resolver.stable-after=${STABLE_AFTER}`,
        '-Dpekko.coordinated-shutdown.exit-jvm=on',
      ]) {
        assert.ok(java.includes(flag), `${flag} in ${java}`);
      }
      assert.not.match(java, 'lease', 'no lease settings without lease-majority');
      await log.until(
        (s) => s.phase === 'Formed' && s.members === 3 && s.splitBrainResolver?.strategy === 'keep-majority',
        'Formed, strategy in status',
        30_000,
      );
      assert.is(leaseReady(log.latest()), undefined);
      assert.is(await readLease(ns), undefined, 'no Lease without lease-majority');
      const victim = formed.pods.find((p) => !formed.oldest.endsWith(`@${p.status?.podIP}:${SAMPLE.remotingPort}`));
      assert.ok(victim);
      const rest = formed.pods.filter((p) => p !== victim);
      await partitionAndResolve(ns, log, 'keep-majority, 3 pods, 1 isolated', { a: [victim], b: rest }, async () => ({
        winners: rest,
        losers: [victim],
      }));
    } finally {
      log.stop();
    }
  }));

it('lease-majority, 5 replicas: one isolated, then a 2/3 split: the side holding the Lease survives, the other downs itself and rejoins; the Lease in status; bad Leases', () =>
  withOperator(async (ns) => {
    const log = await new StatusLog(ns, NAME).start();
    try {
      // heartbeatTimeout 20s: a holder that is gone loses the lease 10 s after its last renewal (so the test can
      // see it); releaseAfter 60s: the winner keeps it long enough to be deleted while it holds it.
      const lease = { heartbeatTimeout: '20s', releaseAfter: '60s' };
      await applyClusterBootstrap(ns, NAME, sampleSpec(5, { strategy: 'lease-majority', leaseMajority: lease }));
      let formed = await oneCluster(ns, 5, 150_000);

      // The RBAC the pods end up with: get and update on that one Lease, nothing else on leases.
      const role = (await clients().rbac.readNamespacedRole({ namespace: ns, name: `${NAME}-sbr-lease` })) as V1Role;
      assert.equal(JSON.parse(JSON.stringify(role.rules)), [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [LEASE], verbs: ['get', 'update'] },
      ]);
      const as = `--as=system:serviceaccount:${ns}:${NAME}`;
      const can = async (...args: string[]) =>
        (await kubectl(['auth', 'can-i', ...args, as], { namespace: ns, check: false })).stdout.trim();
      assert.equal(
        [
          await can('get', `leases/${LEASE}`),
          await can('update', `leases/${LEASE}`),
          await can('create', 'leases'),
          await can('delete', `leases/${LEASE}`),
          await can('list', 'leases'),
          await can('update', 'leases/other'),
        ],
        ['yes', 'yes', 'no', 'no', 'no', 'no'],
      );
      const created = await readLease(ns);
      assert.is(created?.spec?.holderIdentity, '', 'created free, as Pekko creates it');
      const first = await log.until(
        (s) => s.phase === 'Formed' && s.members === 5 && leaseReady(s)?.reason === 'Free',
        'Formed, LeaseReady Free',
        30_000,
      );
      assert.is(first.status.splitBrainResolver?.lease?.uid, created?.metadata?.uid);

      // One member isolated: the oldest.
      const oldest = formed.pods.find((p) => formed.oldest.endsWith(`@${p.status?.podIP}:${SAMPLE.remotingPort}`));
      assert.ok(oldest);
      const others = formed.pods.filter((p) => p !== oldest);
      await partitionAndResolve(
        ns,
        log,
        'lease-majority, 5 pods, the oldest isolated',
        { a: [oldest], b: others },
        async () => ({
          winners: others,
          losers: [oldest],
        }),
      );
      // The majority's leader took the Lease; status names it as the object does.
      const held = await waitFor(
        async () => {
          const l = await readLease(ns);
          const s = log.latest().splitBrainResolver?.lease;
          const holder = l?.spec?.holderIdentity;
          if (!holder || s?.holder !== holder || !s.holderPod || leaseReady(log.latest())?.reason !== 'Held') {
            throw new Error(`lease ${holder}, status ${JSON.stringify(s)}`);
          }
          return s;
        },
        { what: 'status names the holder of the Lease', timeoutMs: 30_000 },
      );
      assert.is.not(held.holderPod, oldest.metadata?.name, 'the isolated node did not take it');

      // Bad input: the holder's pod deleted while it holds the Lease. Pekko's resolver keeps a Lease it holds when it
      // stops, so the Lease names a pod that no longer exists until it times out.
      await kubectl(['delete', 'pod', held.holderPod ?? ''], { namespace: ns });
      const gone = await log.until((s) => leaseReady(s)?.reason === 'HolderGone', 'LeaseReady HolderGone', 30_000);
      assert.match(leaseReady(gone.status)?.message ?? '', `${held.holder}, whose pod no longer exists`);
      assert.is((await readLease(ns))?.spec?.holderIdentity, held.holder, 'the operator does not take it over');
      assert.ok((await eventNotes(ns, 'LeaseHolderGone')).length > 0, 'LeaseHolderGone Event');
      formed = await oneCluster(ns, 5, 120_000); // the replacement joined
      await log.until((s) => leaseReady(s)?.status === 'True', 'LeaseReady True again (timed out)', 60_000);

      // A 2/3 split: the three take the Lease over (the two wait acquire-lease-delay-for-minority first).
      const sorted = [...formed.pods].sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
      const sides = { a: sorted.slice(0, 3), b: sorted.slice(3) };
      let holderNow = '';
      const { winners } = await partitionAndResolve(ns, log, 'lease-majority, 5 pods split 2/3', sides, async () => {
        holderNow = await waitFor(
          async () => {
            const h = (await readLease(ns))?.spec?.holderIdentity;
            return h && h !== held.holder ? h : undefined;
          },
          { what: 'a new holder of the Lease', timeoutMs: 60_000 },
        );
        const onA = sides.a.some((p) => holderNow.endsWith(`@${p.status?.podIP}:${SAMPLE.remotingPort}`));
        return onA ? { winners: sides.a, losers: sides.b } : { winners: sides.b, losers: sides.a };
      });
      figure(`lease-majority split 2/3: the Lease went to ${holderNow}, on the side of ${winners.length}`);
      const matched = await waitFor(
        async () => {
          const h = (await readLease(ns))?.spec?.holderIdentity;
          const s = log.latest().splitBrainResolver?.lease?.holder;
          return h && h === s ? h : undefined;
        },
        { what: 'status.splitBrainResolver.lease.holder = the Lease object holder', timeoutMs: 30_000 },
      );
      assert.ok(winners.some((p) => matched.endsWith(`@${p.status?.podIP}:${SAMPLE.remotingPort}`)));
      const wide = (await kubectl(['get', 'cb', NAME, '-o', 'wide'], { namespace: ns })).stdout;
      assert.match(wide, /SBR\s+LEASE HOLDER\s+HELD FOR/);
      assert.match(wide, new RegExp(`lease-majority\\s+${matched.replace(/\./g, '\\.')}\\s+\\d+s`));
      console.log(wide);

      // Bad input: the Lease deleted by hand. The pods may not create it (no create verb): the operator does.
      const before = await readLease(ns);
      await kubectl(['delete', 'lease', LEASE], { namespace: ns });
      const back = await log.until(
        (s) => leaseReady(s)?.reason === 'Recreated' && s.splitBrainResolver?.lease?.uid !== before?.metadata?.uid,
        'LeaseReady Recreated with a new Lease',
        30_000,
      );
      const again = await readLease(ns);
      assert.is(again?.metadata?.uid, back.status.splitBrainResolver?.lease?.uid);
      assert.is(again?.spec?.holderIdentity, '');
      assert.ok((await eventNotes(ns, 'LeaseRecreated')).length > 0, 'LeaseRecreated Event');

      // The resource deleted: its Lease goes with it (Pekko's writes dropped the owner reference).
      await kubectl(['delete', 'cb', NAME], { namespace: ns });
      await waitFor(async () => (await readLease(ns)) === undefined, { what: 'the Lease deleted', timeoutMs: 30_000 });
    } finally {
      log.stop();
    }
  }));

it("a Lease of that name that is not the operator's: LeaseReady says so, the Lease is never written; another name fixes it", () =>
  withOperator(async (ns) => {
    const log = await new StatusLog(ns, NAME).start();
    try {
      const foreign = await coordination().createNamespacedLease({
        namespace: ns,
        body: {
          metadata: { name: LEASE, labels: { 'app.kubernetes.io/managed-by': 'someone-else' } },
          // MicroTime: exactly six fraction digits
          spec: {
            holderIdentity: 'other-app@10.1.2.3:2552',
            acquireTime: new Date().toISOString().replace(/Z$/, '000Z') as never,
          },
        },
      });
      const path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
      await whileQuiet(
        {
          path,
          resourceVersion: foreign.metadata?.resourceVersion ?? '',
          fieldSelector: `metadata.name=${LEASE}`,
          what: 'a write to the foreign Lease',
        },
        async () => {
          await applyClusterBootstrap(ns, NAME, sampleSpec(0, { strategy: 'lease-majority' }));
          const c = await log.until((s) => leaseReady(s)?.reason === 'Conflict', 'LeaseReady Conflict', 30_000);
          assert.is(leaseReady(c.status)?.status, 'False');
          assert.match(
            leaseReady(c.status)?.message ?? '',
            'is not the one the operator created for this ClusterBootstrap',
          );
          assert.match(leaseReady(c.status)?.message ?? '', 'managed by someone-else');
          assert.match(leaseReady(c.status)?.message ?? '', 'Set spec.splitBrainResolver.leaseMajority.leaseName');
          assert.is(c.status.splitBrainResolver?.lease?.holder, undefined);
          assert.ok((await eventNotes(ns, 'LeaseConflict')).length > 0, 'LeaseConflict Event');
          // Past the operator's next looks at a lease-majority resource (every 10 s): still never written.
          await new Promise((r) => setTimeout(r, 11_000));
          // Another name: the operator creates that one; the foreign Lease stays as it was.
          await applyClusterBootstrap(
            ns,
            NAME,
            sampleSpec(0, { strategy: 'lease-majority', leaseMajority: { leaseName: 'sample-own' } }),
          );
          await log.until((s) => leaseReady(s)?.reason === 'Free', 'LeaseReady Free on its own Lease', 30_000);
          assert.ok(await readLease(ns, 'sample-own'));
        },
      );
      assert.equal((await readLease(ns))?.metadata?.resourceVersion, foreign.metadata?.resourceVersion);
      const pods = await listPods(ns);
      assert.equal(pods, []);
    } finally {
      log.stop();
    }
  }));

test.run();
