// Rollouts and scale-down of a real Pekko cluster (the sample app, 5 replicas) with the lifecycle features off
// (doing nothing: the ReplicaSet picks the pods) and on (pod-deletion-cost, one member leaving at a time), on the
// local cluster through an operator process. Each round: a rolling update and a scale 5 → 3 (and back) with the
// features off, then the same with them on. Every pod's /cluster/members is sampled every 500 ms
// (test-e2e/lib/lifecycle-measure.ts). Not part of `make test`; the e2e suite test-e2e/suites/rollout.e2e.ts runs one
// round and asserts the "on" figures. Writes bench/results/rollout.md.
//
//   node bench/rollout.bench.ts [--rounds 3]        (needs `make cluster-up`)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { POD_DELETION_COST } from '../operator/lifecycle/deletion-cost.ts';
import {
  applyClusterBootstrap,
  describeMeasured,
  e2eEnv,
  ensureCrd,
  kubectl,
  listPods,
  type Measured,
  measure,
  type OneCluster,
  oneCluster,
  patchSpec,
  REPO_ROOT,
  type Target,
  waitFor,
  withOperator,
} from '../test-e2e/lib/index.ts';

const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 3;
if (!Number.isInteger(ROUNDS) || ROUNDS <= 0) throw new Error('--rounds must be a positive integer');
const IMAGES = ['pekko-sample:dev', 'pekko-sample:dev2'];
const SYSTEM = 'pekko-sample';

/** A second cluster at any sample fails the run. */
function oneClusterThroughout(m: Measured): Measured {
  if (m.report.problems.length) throw new Error(`a second cluster:\n${m.report.problems.join('\n')}`);
  return m;
}

interface Trial {
  round: number;
  features: 'off' | 'on';
  what: 'rolling update' | 'scale 5 → 3';
  m: Measured;
}

/** Sets the features and waits until the pods' costs say so (on: the 3 oldest; off: the operator's removed). */
async function features(t: Target, on: boolean, c: OneCluster): Promise<OneCluster> {
  await patchSpec(t, { lifecycle: { podDeletionCost: on, stepwiseScaleDown: on } });
  return waitFor(
    async () => {
      const pods = await listPods(t.ns, `app=${SYSTEM}`);
      const values = pods.map((p) => p.metadata?.annotations?.[POD_DELETION_COST]).filter(Boolean);
      if (on ? values.sort().join() !== '10000,9800,9900' : values.length > 0) throw new Error(`costs ${values}`);
      return { ...c, pods };
    },
    { what: `features ${on ? 'on' : 'off'} on the pods`, timeoutMs: 60_000 },
  );
}

async function main(): Promise<void> {
  const sh = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CLUSTER_DIR: e2eEnv.clusterDir },
    });
  sh(join(REPO_ROOT, 'test-e2e', 'pekko-sample', 'build.sh'), []);
  await ensureCrd();
  const load = loadavg()[0]?.toFixed(2);
  const started = new Date().toISOString();
  const trials: Trial[] = [];
  await withOperator(
    async (ns) => {
      const t: Target = { ns, name: 'sample', system: SYSTEM };
      let image = 0;
      await applyClusterBootstrap(ns, t.name, {
        image: IMAGES[image],
        workload: 'pekko',
        actorSystemName: SYSTEM,
        replicas: 5,
        lifecycle: { podDeletionCost: false, stepwiseScaleDown: false },
      });
      let c = await oneCluster(t, 5, 240_000);
      const scale = (n: number) => () => kubectl(['scale', `cb/${t.name}`, `--replicas=${n}`], { namespace: ns });
      for (let round = 1; round <= ROUNDS; round++) {
        for (const on of [false, true]) {
          c = await features(t, on, c);
          image = 1 - image;
          const next = IMAGES[image] as string;
          const roll = oneClusterThroughout(
            await measure(t, c, () => patchSpec(t, { image: next }), 5, { image: next }),
          );
          trials.push({ round, features: on ? 'on' : 'off', what: 'rolling update', m: roll });
          console.log(`round ${round}, ${on ? 'on' : 'off'}, rolling update: ${describeMeasured(roll)}`);
          c = await features(t, on, roll.after);
          const down = oneClusterThroughout(await measure(t, c, scale(3), 3));
          trials.push({ round, features: on ? 'on' : 'off', what: 'scale 5 → 3', m: down });
          console.log(`round ${round}, ${on ? 'on' : 'off'}, scale 5 → 3: ${describeMeasured(down)}`);
          await scale(5)();
          c = await oneCluster(t, 5, 180_000);
        }
      }
    },
    { prefix: 'bench-rollout' },
  );
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'rollout.md'), report(trials, started, load));
  console.log('wrote bench/results/rollout.md');
}

const s = (ms: number) => (ms / 1000).toFixed(1);

function report(trials: Trial[], started: string, load: string | undefined): string {
  const row = (x: Trial) =>
    `| ${x.round} | ${x.features} | ${x.what} | ${x.m.report.oldestChanges} | ${x.m.after.oldest === x.m.before.oldest ? 'kept' : 'moved'} | ` +
    `${x.m.report.maxLeaving} | ${x.m.departures.map((d) => d.cost ?? '-').join(', ')} | ` +
    `${x.m.replicas.map((r) => `${r.replicas} @ ${s(r.at)}`).join(', ')} | ${s(x.m.ms)} | ${x.m.report.samples} |`;
  const summary = (features: 'off' | 'on', what: Trial['what']) => {
    const xs = trials.filter((x) => x.features === features && x.what === what);
    const changes = xs.map((x) => x.m.report.oldestChanges);
    const kept = xs.filter((x) => x.m.after.oldest === x.m.before.oldest).length;
    const leaving = Math.max(...xs.map((x) => x.m.report.maxLeaving));
    return what === 'rolling update'
      ? `| ${features} | ${what} | oldest changed ${changes.join(', ')} times | ${s(Math.min(...xs.map((x) => x.m.ms)))}-${s(Math.max(...xs.map((x) => x.m.ms)))} s |`
      : `| ${features} | ${what} | oldest kept ${kept} of ${xs.length}; at most ${leaving} leaving at once | ${s(Math.min(...xs.map((x) => x.m.ms)))}-${s(Math.max(...xs.map((x) => x.m.ms)))} s |`;
  };
  return `# Rollout and scale-down benchmark

Command: \`node bench/rollout.bench.ts --rounds ${ROUNDS}\` on the local cluster (\`make cluster-up\`), ${started},
${cpus().length} cores shared with other builds and suites (1-min load average at start ${load}). The real Pekko
sample app (Pekko 1.1.5, Management 1.1.1), 5 replicas, RollingUpdate maxSurge 1 / maxUnavailable 0, Kubernetes
v1.35 (pod-deletion-cost and LogarithmicScaleDown on by default). "off": \`spec.lifecycle.podDeletionCost\` and
\`stepwiseScaleDown\` false (doing nothing: the ReplicaSet picks the pods); "on": both true (the default). Every
pod's \`/cluster/members\` sampled every 500 ms. "oldest changed": how often the oldest member every answering pod
agreed on changed (the singletons and the shard coordinator move with it; a rolling update must move it at least
once). "costs in the order they went": the pod-deletion-cost each old pod carried when it was deleted (- none).
No sample ever saw a second cluster (the run fails otherwise).

## Summary

| features | what | result | duration |
|---|---|---|---|
${(['off', 'on'] as const).flatMap((f) => (['rolling update', 'scale 5 → 3'] as const).map((w) => summary(f, w))).join('\n')}

## Every trial

| round | features | what | oldest changed | oldest | max leaving at once | costs in the order they went | Deployment replicas (s) | duration (s) | samples |
|---|---|---|---|---|---|---|---|---|---|
${trials.map(row).join('\n')}
`;
}

await main();
