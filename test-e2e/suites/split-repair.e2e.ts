// Split repair (issue 18, part 3) with real Pekko nodes (test-e2e/pekko-sample), on the real local cluster: two
// clusters of one resource are forced, the status reports the split whether repair is on or not, and with
// spec.splitRepair.enabled the operator restarts the smaller cluster's pod, whose replacement joins the kept one.
//
// How the split is made, independent of any node's internals: the resource's pods (group a, two nodes) discover
// `app=pekko-sample,group=a`; a second Deployment made by the test (group b, one node) runs the operator's own pod
// template but discovers only `app=pekko-sample,side=b` with required-contact-point-nr 1, so it forms a cluster of
// its own. Its pods carry the resource's instance label: they are the resource's pods. Before repair is turned on,
// the test removes the cause, as a person would: it labels group a's pods side=b, so that a restarted group-b node
// finds them; without that, the replacement would form a cluster of its own again, and no repair could help.
import { EventsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import {
  applyClusterBootstrap,
  clients,
  ensureCrd,
  kubectl,
  listPods,
  loudly,
  NamespaceStatusLog,
  waitFor,
  withOperator,
} from '../lib/index.ts';
import { buildSample } from '../lib/pekko-sample.ts';

const NAME = 'split';
const SYSTEM = 'pekko-sample';
const INSTANCE = 'app.kubernetes.io/instance';
const SELECTOR_KEY = 'pekko.discovery.kubernetes-api.pod-label-selector';
const REQUIRED_KEY = 'pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr';

test.before(
  loudly('build the Pekko sample app and apply the CRD', async () => {
    buildSample();
    await ensureCrd();
  }),
);

const describe = (cb: ClusterBootstrap) =>
  `${cb.status?.phase} members=${cb.status?.members}: ${cb.status?.message} (${cb.status?.conditions?.find((c) => c.type === 'ClusterFormed')?.reason})`;

async function events(ns: string): Promise<{ reason: string; type: string; note: string; at: number }[]> {
  const list = await clients().kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
  return list.items
    .filter((e) => e.regarding?.kind === 'ClusterBootstrap' && e.regarding.name === NAME)
    .map((e) => ({
      reason: e.reason ?? '',
      type: e.type ?? '',
      note: e.note ?? '',
      at: new Date(e.eventTime as unknown as string).getTime(),
    }))
    .sort((a, b) => a.at - b.at);
}

/** Group b: the operator's pod template, labelled group=b and side=b, discovering side=b alone, forming alone. */
function groupB(a: V1Deployment): V1Deployment {
  const template = structuredClone(a.spec?.template) as NonNullable<V1Deployment['spec']>['template'];
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, group: 'b', side: 'b' } };
  const app = template.spec?.containers.find((c) => c.name === 'app');
  const opts = app?.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS') ?? { name: 'JAVA_TOOL_OPTIONS' };
  assert.ok(opts.value?.includes(`-D${SELECTOR_KEY}=app=%s,group=a`), `the rendered selector: ${opts.value}`);
  opts.value = (opts.value ?? '')
    .replace(`-D${SELECTOR_KEY}=app=%s,group=a`, `-D${SELECTOR_KEY}=app=%s,side=b`)
    .replace(new RegExp(`-D${REQUIRED_KEY}=\\d+`), `-D${REQUIRED_KEY}=1`);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${NAME}-b` },
    spec: { replicas: 1, selector: { matchLabels: { app: SYSTEM, [INSTANCE]: NAME, group: 'b' } }, template },
  };
}

test('two clusters: reported as a split with repair off; with repair on, the smaller one restarts and joins', () =>
  withOperator(
    async (ns) => {
      const log = await new NamespaceStatusLog(ns).start();
      try {
        const tApply = Date.now();
        await applyClusterBootstrap(ns, NAME, {
          image: 'pekko-sample:dev',
          workload: 'pekko',
          actorSystemName: SYSTEM,
          replicas: 2,
          bootstrap: { podLabelSelector: 'app=%s,group=a' },
          template: { metadata: { labels: { group: 'a' } } },
        });
        // With its seed: the rest of the test compares with it (one CI run recorded a Formed status of 2 members
        // without seedNode, a transient not explained yet).
        const a = await log.first(
          NAME,
          (cb) => cb.status?.phase === 'Formed' && cb.status.members === 2 && !!cb.status.seedNode,
          {
            timeoutMs: 180_000,
            what: 'group a Formed with 2 members',
            describe,
          },
        );
        console.log(`  group a Formed (2 Pekko nodes) ${a.at - tApply} ms after the apply`);
        const seedA = a.cb.status?.seedNode ?? '';

        const { apps } = clients();
        const depA = await apps.readNamespacedDeployment({ name: NAME, namespace: ns });
        const tB = Date.now();
        await apps.createNamespacedDeployment({ namespace: ns, body: groupB(depA) });
        const split = await log.first(
          NAME,
          (cb) => cb.status?.conditions?.some((c) => c.type === 'ClusterFormed' && c.reason === 'SplitBrain') ?? false,
          { since: tB, timeoutMs: 120_000, what: 'Degraded, SplitBrain', describe },
        );
        console.log(`  split reported ${split.at - tB} ms after group b was created: ${split.cb.status?.message}`);
        assert.is(split.cb.status?.phase, 'Degraded');
        assert.match(split.cb.status?.message ?? '', seedA);
        const [podB] = await listPods(ns, `${INSTANCE}=${NAME},group=b`);
        const uidB = podB?.metadata?.uid;

        // Repair is off: a while later the split is still reported and group b's pod is the same.
        await new Promise((r) => setTimeout(r, 5000));
        assert.is(log.latest(NAME)?.status?.phase, 'Degraded', 'still Degraded with repair off');
        assert.is((await listPods(ns, `${INSTANCE}=${NAME},group=b`))[0]?.metadata?.uid, uidB, 'no pod deleted');
        assert.not.ok(
          (await events(ns)).some((e) => e.reason.startsWith('SplitRepair')),
          'no SplitRepair Event',
        );

        // The cause goes first (a restarted group-b node must find group a), then repair is turned on.
        await kubectl(['label', 'pods', '-l', `${INSTANCE}=${NAME},group=a`, 'side=b'], { namespace: ns });
        const tRepair = Date.now();
        await kubectl(['patch', 'cb', NAME, '--type', 'merge', '-p', '{"spec":{"splitRepair":{"enabled":true}}}'], {
          namespace: ns,
        });
        const one = await log.first(NAME, (cb) => cb.status?.phase === 'Formed' && cb.status.members === 3, {
          since: tRepair,
          timeoutMs: 180_000,
          what: 'one cluster of 3 after the repair',
          describe,
        });
        console.log(`  repair on -> Formed with 3 members (one cluster): ${one.at - tRepair} ms`);
        assert.is(one.cb.status?.seedNode, seedA, 'the kept cluster is group a, the larger one');
        const replaced = await listPods(ns, `${INSTANCE}=${NAME},group=b`);
        assert.ok(replaced.length === 1 && replaced[0]?.metadata?.uid !== uidB, "group b's pod was replaced");
        const evs = await waitFor(
          async () => {
            const all = await events(ns);
            if (!all.some((e) => e.reason === 'SplitRepairCompleted')) throw new Error(all.map((e) => e.reason).join());
            return all;
          },
          { what: 'a SplitRepairCompleted Event', timeoutMs: 30_000 },
        );
        // Until group b's pod was deleted, the status said Degraded: the repair never hid the split.
        const deletedAt = evs.find((e) => e.reason === 'SplitRepairPodDeleted')?.at ?? 0;
        const before = log.samples(NAME).filter((s) => s.at >= tRepair && s.at < deletedAt);
        assert.ok(
          before.every((s) => s.cb.status?.phase === 'Degraded'),
          before.map((s) => describe(s.cb)).join(' | '),
        );
        const completed = evs.find((e) => e.reason === 'SplitRepairCompleted');
        // Completed needs the replacement in the kept cluster's group (operator/controller/split-repair.ts); the
        // status's member count follows when most answers list it, so compare with the replacement's creation.
        const createdB = new Date(replaced[0]?.metadata?.creationTimestamp ?? 0).getTime();
        assert.ok((completed?.at ?? 0) >= createdB, 'Completed once the replacement existed, not before');
        const started = evs.find((e) => e.reason === 'SplitRepairStarted');
        const deleted = evs.filter((e) => e.reason === 'SplitRepairPodDeleted');
        assert.is(started?.type, 'Warning');
        assert.match(started?.note ?? '', `keeping the one around ${seedA}`);
        assert.is(deleted.length, 1, JSON.stringify(deleted));
        assert.match(deleted[0]?.note ?? '', `deleted pod ${podB?.metadata?.name}`);
        console.log(
          `  Events: ${evs
            .filter((e) => e.reason.startsWith('Split'))
            .map((e) => `${e.reason}: ${e.note}`)
            .join('\n          ')}`,
        );
      } finally {
        log.stop();
      }
    },
    { prefix: 'split-repair', dump: { objects: ['clusterbootstraps', 'deployments'] } },
  ));

test.run();
