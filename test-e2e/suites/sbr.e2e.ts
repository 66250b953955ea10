// Pekko's Split Brain Resolver under real network partitions (issue 19): the real Pekko sample (Pekko 1.1.5,
// Management 1.1.1, pekko-lease-kubernetes 1.1.1) through the operator, with spec.splitBrainResolver, on the local
// cluster whose pods have network namespaces (test-e2e/lib/partition.ts cuts groups of pods apart, silently, both
// ways; the API server stays reachable). Every cut is healed in a finally (test-e2e/lib/split-brain.ts). The tests
// judge by the nodes' own answers (GET /cluster/members), the pods' restarts, the resource's status (from a watch)
// and its Events. The figures they print are in docs/pekko.md and bench/results/split-brain.md.
import type { V1Role } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyClusterBootstrap,
  clients,
  ensureCrd,
  heal,
  kubectl,
  listPods,
  loudly,
  podNetwork,
  waitFor,
  whileQuiet,
  withOperator,
} from '../lib/index.ts';
import { buildSample, oneCluster, SAMPLE, StatusLog } from '../lib/pekko-sample.ts';
import {
  createLease,
  eventNotes,
  leaseReady,
  partitionAndResolve,
  type Resolution,
  readLease,
} from '../lib/split-brain.ts';

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
const timings = (label: string, r: Resolution) =>
  figure(
    `${label}: cut → Degraded ${secs(r.degradedMs)}, → resolved (winners see only each other) ` +
      `${secs(r.resolvedMs)}, → downed pods restarted ${secs(r.restartedMs)}; heal → one cluster ` +
      `${secs(r.oneClusterMs)}, → status Formed ${secs(r.formedMs)}; ${r.samples} samples, one cluster throughout`,
  );

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

async function javaToolOptions(ns: string): Promise<string> {
  const d = await clients().apps.readNamespacedDeployment({ namespace: ns, name: NAME });
  const app = d.spec?.template.spec?.containers.find((c) => c.name === 'app');
  return app?.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS')?.value ?? '';
}

const sampleSpec = (replicas: number, sbr: Record<string, unknown>) => ({
  image: SAMPLE.image,
  workload: 'pekko',
  actorSystemName: SAMPLE.system,
  replicas,
  splitBrainResolver: { stableAfter: STABLE_AFTER, ...sbr },
});

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
      assert.is(await readLease(ns, LEASE), undefined, 'no Lease without lease-majority');
      const victim = formed.pods.find((p) => !formed.oldest.endsWith(`@${p.status?.podIP}:${SAMPLE.remotingPort}`));
      assert.ok(victim);
      const rest = formed.pods.filter((p) => p !== victim);
      const r = await partitionAndResolve(ns, log, { a: [victim], b: rest }, async () => ({
        winners: rest,
        losers: [victim],
      }));
      timings('keep-majority, 3 pods, 1 isolated', r);
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
      const created = await readLease(ns, LEASE);
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
      timings(
        'lease-majority, 5 pods, the oldest isolated',
        await partitionAndResolve(ns, log, { a: [oldest], b: others }, async () => ({
          winners: others,
          losers: [oldest],
        })),
      );
      // The majority's leader took the Lease; status names it as the object does.
      const held = await waitFor(
        async () => {
          const l = await readLease(ns, LEASE);
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
      assert.is((await readLease(ns, LEASE))?.spec?.holderIdentity, held.holder, 'the operator does not take it over');
      assert.ok((await eventNotes(ns, 'LeaseHolderGone')).length > 0, 'LeaseHolderGone Event');
      formed = await oneCluster(ns, 5, 120_000); // the replacement joined
      await log.until((s) => leaseReady(s)?.status === 'True', 'LeaseReady True again (timed out)', 60_000);

      // A 2/3 split: the three take the Lease over (the two wait acquire-lease-delay-for-minority first).
      const sorted = [...formed.pods].sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
      const sides = { a: sorted.slice(0, 3), b: sorted.slice(3) };
      let holderNow = '';
      const split = await partitionAndResolve(ns, log, sides, async () => {
        holderNow = await waitFor(
          async () => {
            const h = (await readLease(ns, LEASE))?.spec?.holderIdentity;
            return h && h !== held.holder ? h : undefined;
          },
          { what: 'a new holder of the Lease', timeoutMs: 60_000 },
        );
        const onA = sides.a.some((p) => holderNow.endsWith(`@${p.status?.podIP}:${SAMPLE.remotingPort}`));
        return onA ? { winners: sides.a, losers: sides.b } : { winners: sides.b, losers: sides.a };
      });
      timings('lease-majority, 5 pods split 2/3', split);
      const { winners } = split;
      figure(`lease-majority split 2/3: the Lease went to ${holderNow}, on the side of ${winners.length}`);
      const matched = await waitFor(
        async () => {
          const h = (await readLease(ns, LEASE))?.spec?.holderIdentity;
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
      const before = await readLease(ns, LEASE);
      await kubectl(['delete', 'lease', LEASE], { namespace: ns });
      const back = await log.until(
        (s) => leaseReady(s)?.reason === 'Recreated' && s.splitBrainResolver?.lease?.uid !== before?.metadata?.uid,
        'LeaseReady Recreated with a new Lease',
        30_000,
      );
      const again = await readLease(ns, LEASE);
      assert.is(again?.metadata?.uid, back.status.splitBrainResolver?.lease?.uid);
      assert.is(again?.spec?.holderIdentity, '');
      assert.ok((await eventNotes(ns, 'LeaseRecreated')).length > 0, 'LeaseRecreated Event');

      // The resource deleted: its Lease goes with it (Pekko's writes dropped the owner reference).
      await kubectl(['delete', 'cb', NAME], { namespace: ns });
      await waitFor(async () => (await readLease(ns, LEASE)) === undefined, {
        what: 'the Lease deleted',
        timeoutMs: 30_000,
      });
    } finally {
      log.stop();
    }
  }));

it("a Lease of that name that is not the operator's: LeaseReady says so, the Lease is never written; another name fixes it", () =>
  withOperator(async (ns) => {
    const log = await new StatusLog(ns, NAME).start();
    try {
      const foreign = await createLease(ns, {
        metadata: { name: LEASE, labels: { 'app.kubernetes.io/managed-by': 'someone-else' } },
        // MicroTime: exactly six fraction digits
        spec: {
          holderIdentity: 'other-app@10.1.2.3:2552',
          acquireTime: new Date().toISOString().replace(/Z$/, '000Z') as never,
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
      assert.equal((await readLease(ns, LEASE))?.metadata?.resourceVersion, foreign.metadata?.resourceVersion);
      const pods = await listPods(ns);
      assert.equal(pods, []);
    } finally {
      log.stop();
    }
  }));

test.run();
