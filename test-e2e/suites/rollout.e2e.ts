// Rollouts and scale-down with the lifecycle features (spec.lifecycle, issue 13) against doing nothing, with the real
// Pekko sample (test-e2e/pekko-sample), and the deletion cost with the agent. One Pekko cluster of 5 JVMs (6 during
// a rollout) serves every Pekko measurement, in this order: a rolling update and a scale 5 → 3 with the features
// off, back to 5, then the same with them on. Every pod's /cluster/members is sampled every 500 ms throughout
// (test-e2e/lib/membership-sampler.ts): how often the oldest member moved, how many members were leaving at once,
// and whether a second cluster ever appeared. The figures go to bench/results/rollout.md and docs/pekko.md.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { nodeAddress } from '../../core/protocol/index.ts';
import { reconcileAccess } from '../../operator/api-access.ts';
import { POD_DELETION_COST } from '../../operator/lifecycle/deletion-cost.ts';
import {
  applyClusterBootstrap,
  clients,
  clusterLayout,
  clusterMembersAt,
  describeMeasured,
  ensureCrd,
  kubectl,
  listPods,
  loudly,
  measure,
  nodeOf,
  Operator,
  oneCluster,
  patchSpec,
  statusOf,
  type Target,
  waitFor,
  withOperator,
} from '../lib/index.ts';
import { buildSample } from '../lib/pekko-sample.ts';

const SYSTEM = 'pekko-sample';
const SELECTOR = `app=${SYSTEM}`;
const IMAGES = ['pekko-sample:dev', 'pekko-sample:dev2'] as const;
const NAME = 'sample';
const DUMP = { objects: ['clusterbootstraps', 'deployments', 'poddisruptionbudgets'] };

const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  console.log(`figure: ${line}`);
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

test.before(
  loudly('build the sample app and apply the CRD', async () => {
    buildSample();
    await ensureCrd();
  }),
);

test.after(() => {
  if (figures.length) console.log(`\nfigures of this run:\n  ${figures.join('\n  ')}`);
});

const javaOptions = (p: V1Pod) =>
  p.spec?.containers.find((c) => c.name === 'app')?.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS')?.value ?? '';
const costs = (pods: V1Pod[]) =>
  Object.fromEntries(pods.map((p) => [p.metadata?.name ?? '', p.metadata?.annotations?.[POD_DELETION_COST]]));

/** The app logs of every pod this namespace had (files outlive pods). */
function appLogs(ns: string): string {
  const dir = clusterLayout().podLogs;
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${ns}_`) && f.endsWith('_app.log'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

// ---- Pekko: rollouts and scale-down, off and on ----------------------------------------------------------------

test('real Pekko, 5 replicas: rolling update and scale 5 → 3, lifecycle features off and then on', async () => {
  await withOperator(
    async (ns) => {
      const t: Target = { ns, name: NAME, system: SYSTEM };
      const tApply = Date.now();
      await applyClusterBootstrap(ns, NAME, {
        image: IMAGES[0],
        workload: 'pekko',
        actorSystemName: SYSTEM,
        replicas: 5,
        lifecycle: { podDeletionCost: false, stepwiseScaleDown: false },
      });
      let c = await oneCluster(t, 5, 240_000);
      console.log(`5 Pekko nodes formed in ${seconds(Date.now() - tApply)}`);
      assert.ok(
        c.pods.every((p) => javaOptions(p).includes(' -Dpekko.cluster.app-version=1 ')),
        'app version 1',
      );
      assert.ok(
        c.pods.every((p) => p.spec?.terminationGracePeriodSeconds === 90),
        'grace for coordinated shutdown',
      );
      const pdb = await kubectl(['get', 'pdb', NAME, '-o', 'jsonpath={.spec.maxUnavailable}'], { namespace: ns });
      assert.is(pdb.stdout, '1');

      // -- off: a rolling update, then scale 5 → 3 (the Deployment takes 3 at once)
      const offRoll = await measure(t, c, () => patchSpec(t, { image: IMAGES[1] }), 5, { image: IMAGES[1] });
      figure(`features off, rolling update of 5: ${describeMeasured(offRoll)}`);
      assert.equal(offRoll.report.problems, [], 'one cluster throughout');
      assert.is((await statusOf(t)).podTemplate?.revision, 2);
      const scale = (n: number) => () => kubectl(['scale', `cb/${NAME}`, `--replicas=${n}`], { namespace: ns });
      const offScale = await measure(t, offRoll.after, scale(3), 3);
      figure(`features off, scale 5 → 3: ${describeMeasured(offScale)}`);
      assert.equal(offScale.report.problems, []);

      // -- on, back to 5: the operator puts the deletion cost on the 3 oldest
      await patchSpec(t, { replicas: 5, lifecycle: { podDeletionCost: true, stepwiseScaleDown: true } });
      c = await oneCluster(t, 5, 180_000);
      const oldestPod = c.pods.find((p) => nodeOf(t, p) === c.oldest)?.metadata?.name ?? '';
      c = await waitFor(
        async () => {
          const pods = await listPods(ns, SELECTOR);
          const values = Object.values(costs(pods)).filter(Boolean).sort();
          const cond = (await statusOf(t)).conditions?.find((x) => x.type === 'DeletionCostApplied');
          if (costs(pods)[oldestPod] !== '10000' || values.join() !== '10000,9800,9900' || cond?.status !== 'True')
            throw new Error(`costs ${JSON.stringify(costs(pods))}, condition ${cond?.reason}: ${cond?.message}`);
          return { ...c, pods };
        },
        { what: 'pod-deletion-cost on the 3 oldest, 10000 on the oldest', timeoutMs: 30_000 },
      );
      assert.is((await statusOf(t)).podTemplate?.revision, 2, 'scale and lifecycle switches roll nothing');

      // -- on: a rolling update back to the first tag; the old pods go cheapest first, the oldest last
      const onRoll = await measure(t, c, () => patchSpec(t, { image: IMAGES[0] }), 5, { image: IMAGES[0] });
      figure(`features on, rolling update of 5: ${describeMeasured(onRoll)}`);
      assert.equal(onRoll.report.problems, [], 'one cluster throughout');
      assert.equal(
        onRoll.departures.map((d) => d.cost),
        [undefined, undefined, '9800', '9900', '10000'],
        'the old pods went in the order of their cost',
      );
      assert.is(onRoll.report.oldestChanges, 1, `oldest: ${JSON.stringify(onRoll.report.oldest)}`);
      const revision = (await statusOf(t)).podTemplate;
      assert.equal([revision?.revision, revision?.appVersion], [3, '3'], 'a rollback to the first tag is revision 3');
      assert.ok(onRoll.after.pods.every((p) => javaOptions(p).includes(' -Dpekko.cluster.app-version=3 ')));
      // Pekko's own view: its leader logs each joining node's app version.
      assert.match(appLogs(ns), /is JOINING, roles \[[^\]]*\], version \[3\]/);

      // -- on: scale 5 → 3 with kubectl scale, one member at a time
      let progress: ClusterBootstrapStatus['scaleDown'];
      const onScale = await measure(
        t,
        onRoll.after,
        async () => {
          await scale(3)();
          progress = await waitFor(async () => (await statusOf(t)).scaleDown, {
            what: 'status.scaleDown',
            timeoutMs: 30_000,
            intervalMs: 100,
          });
        },
        3,
      );
      figure(`features on, scale 5 → 3: ${describeMeasured(onScale)}`);
      assert.is(progress?.target, 3, 'status shows the target');
      assert.equal(
        onScale.replicas.map((s) => s.replicas),
        [5, 4, 3],
        'one step at a time',
      );
      assert.ok(onScale.report.maxLeaving <= 1, `two leaving at once: ${JSON.stringify(onScale.report.maxLeavingAt)}`);
      assert.is(onScale.after.oldest, onScale.before.oldest, 'the oldest member before is the oldest after');
      assert.equal(onScale.report.problems, []);
      await waitFor(async () => (await statusOf(t)).scaleDown === undefined, {
        what: 'the scale-down done in status',
        timeoutMs: 30_000,
      });
      assert.is((await statusOf(t)).podTemplate?.revision, 3, 'a scale is no new revision');
    },
    { prefix: 'rollout', dump: DUMP },
  );
});

// ---- the agent: the same deletion cost, a user's own value, the PDB switch, an operator without patch pods -----

/** A kubeconfig for ServiceAccount `sa` of `ns` (a token from the TokenRequest API), written to a temporary file. */
async function kubeconfigFor(ns: string, sa: string): Promise<string> {
  const token = (await kubectl(['create', 'token', sa, '--duration=1h'], { namespace: ns })).stdout.trim();
  const cluster = clients().kc.getCurrentCluster();
  const file = join(tmpdir(), `pbo-${ns}-${sa}.kubeconfig`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server: cluster?.server, 'certificate-authority-data': cluster?.caData } }],
    users: [{ name: sa, user: { token } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: sa, namespace: ns } }],
    'current-context': 'local',
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

test('the agent: cost on the 3 oldest, a template value kept elsewhere, the PDB switch, and no patch pods', async () => {
  await withOperator(
    async (ns, op) => {
      const t: Target = { ns, name: 'agents', system: 'agents' };
      // The user's own value in the template: kept on the pods the operator does not rank.
      await applyClusterBootstrap(ns, 'agents', {
        image: 'pekko-bootstrap-agent:dev',
        workload: 'agent',
        replicas: 4,
        template: { metadata: { annotations: { [POD_DELETION_COST]: '-100' } } },
      });
      const sel = 'app=agents';
      const ranked = await waitFor(
        async () => {
          const pods = await listPods(ns, sel);
          const values = Object.values(costs(pods)).sort();
          if (pods.length !== 4 || values.join() !== '-100,10000,9800,9900')
            throw new Error(`costs ${JSON.stringify(costs(pods))}`);
          return pods;
        },
        { what: 'three agents ranked, the fourth keeps the template value', timeoutMs: 90_000 },
      );
      const m = await clusterMembersAt(ranked[0]?.status?.podIP ?? '');
      const top = ranked.find((p) => p.metadata?.annotations?.[POD_DELETION_COST] === '10000');
      assert.ok(m.ok && top && m.value.oldest === nodeAddress('agents', top.status?.podIP ?? '', 17355), 'the oldest');
      assert.is(ranked[0]?.spec?.terminationGracePeriodSeconds, 30, "the agent keeps Kubernetes' default");

      // The PDB goes when turned off.
      await patchSpec(t, { lifecycle: { podDisruptionBudget: false } });
      await waitFor(async () => (await kubectl(['get', 'pdb', 'agents'], { namespace: ns, check: false })).code !== 0, {
        what: 'the PodDisruptionBudget deleted',
        timeoutMs: 30_000,
      });

      // A namespaced install whose Role predates `patch pods`: the operator runs as a ServiceAccount with the chart's
      // rules minus that verb.
      await op.stop();
      const rules = reconcileAccess().map((a) => ({
        apiGroups: [a.group],
        resources: [a.resource],
        verbs: a.resource === 'pods' ? a.verbs.filter((v) => v !== 'patch') : [...a.verbs],
      }));
      const role = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'old-operator' },
        rules,
      };
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'old-operator' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'old-operator' },
        subjects: [{ kind: 'ServiceAccount', name: 'old-operator', namespace: ns }],
      };
      await kubectl(['create', 'serviceaccount', 'old-operator'], { namespace: ns });
      for (const o of [role, binding]) await kubectl(['apply', '-f', '-'], { namespace: ns, input: JSON.stringify(o) });
      const limited = await Operator.start(ns, 'old-operator', { KUBECONFIG: await kubeconfigFor(ns, 'old-operator') });
      try {
        // The oldest pod's cost removed by hand: the operator wants it back and may not.
        await kubectl(['annotate', 'pod', top?.metadata?.name ?? '', `${POD_DELETION_COST}-`], { namespace: ns });
        const s = await waitFor(
          async () => {
            const st = await statusOf(t);
            const cond = st.conditions?.find((x) => x.type === 'DeletionCostApplied');
            if (cond?.reason !== 'Forbidden') throw new Error(`DeletionCostApplied ${cond?.reason}: ${cond?.message}`);
            return st;
          },
          { what: 'DeletionCostApplied False, Forbidden', timeoutMs: 30_000 },
        );
        console.log(`without patch pods: ${s.conditions?.find((x) => x.type === 'DeletionCostApplied')?.message}`);
        assert.is(s.phase, 'Formed', 'nothing else breaks');
        assert.is(s.conditions?.find((x) => x.type === 'Ready')?.status, 'True');
        assert.is(s.conditions?.find((x) => x.type === 'ResourcesReady')?.status, 'True');
        assert.is(s.members, 4);
      } finally {
        await limited.stop();
      }
    },
    { prefix: 'rollout-agent', dump: DUMP },
  );
});

test.run();
