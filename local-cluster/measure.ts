// The local cluster's own figures (docs/local-cluster.md, "Figures"), measured on a running cluster:
//   node local-cluster/measure.ts pod-start [--dir DIR] [--pods 20]   create pods one at a time; creation to Running
//   node local-cluster/measure.ts teardown  [--dir DIR] [--pods 50]   N Running pods, then `cli.ts down`, timed
// Pods run local-cluster/testdata/server.mjs (a Node process). `teardown` stops the cluster.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { REPO_ROOT } from './config.ts';
import { down } from './down.ts';
import { layout } from './layout.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const what = args[0];
const dir = resolve(opt('--dir', process.env.CLUSTER_DIR || join(REPO_ROOT, '.cluster')));
const l = layout(dir);
const kc = new KubeConfig();
kc.loadFromFile(l.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const ns = `measure-${Date.now().toString(36)}`;

// biome-ignore lint/suspicious/noTemplateCurlyInString: image-map placeholders
const SERVER = { command: ['${NODE}', '${REPO}/local-cluster/testdata/server.mjs'] };

function pod(name: string): V1Pod {
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: 'app',
          image: 'pbo-measure-server:1',
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
        },
      ],
    },
  };
}

async function waitRunning(name: string): Promise<void> {
  for (;;) {
    const p = await core.readNamespacedPod({ name, namespace: ns });
    if (p.status?.phase === 'Running') return;
    await sleep(10);
  }
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function main(): Promise<void> {
  if (what !== 'pod-start' && what !== 'teardown') {
    throw new Error('usage: node local-cluster/measure.ts pod-start|teardown [--dir DIR] [--pods N]');
  }
  mkdirSync(l.imagesDir, { recursive: true });
  writeFileSync(join(l.imagesDir, 'measure.json'), JSON.stringify({ 'pbo-measure-server:1': SERVER }));
  await core.createNamespace({ body: { metadata: { name: ns } } });
  for (let i = 0; i < 100; i++) {
    const ok = await core.readNamespacedServiceAccount({ name: 'default', namespace: ns }).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await sleep(100);
  }
  const n = Number(opt('--pods', what === 'pod-start' ? '20' : '50'));
  if (what === 'pod-start') {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await core.createNamespacedPod({ namespace: ns, body: pod(`p${i}`) });
      await waitRunning(`p${i}`);
      ms.push(performance.now() - t0);
    }
    const f = (x: number | undefined) => `${Math.round(x ?? 0)} ms`;
    console.log(`pod creation to Running, ${n} pods one at a time: p50 ${f(pct(ms, 0.5))}, p90 ${f(pct(ms, 0.9))}`);
    console.log(`  min ${f(Math.min(...ms))}, max ${f(Math.max(...ms))}`);
    await core.deleteNamespace({ name: ns });
    return;
  }
  await Promise.all(
    Array.from({ length: n }, (_, i) => core.createNamespacedPod({ namespace: ns, body: pod(`p${i}`) })),
  );
  for (let i = 0; i < n; i++) await waitRunning(`p${i}`);
  console.log(`${n} pods Running; cli.ts down:`);
  const t0 = performance.now();
  await down({ dir });
  console.log(`down with ${n} Running pods took ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
