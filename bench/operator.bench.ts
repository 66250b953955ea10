// Benchmark: N ClusterBootstraps applied at once; for each, the time from its create call returning to all four
// children existing (its Deployment and ServiceAccount, the Role pod-reader, and the RoleBinding read-pods naming its
// account), as seen by a watch from this process. Measured twice in the same run, each in a fresh namespace:
//   operator: the operator (node operator/main.ts, WATCH_NAMESPACES=<ns>) does the work;
//   floor:    no operator; this process applies the same rendered children itself with server-side apply, right
//             after each create returns, with the same concurrency: the API server's own cost, no controller.
// Prints both, their ratio, and writes bench/results/operator.md.
//
//   node bench/operator.bench.ts [--n 100] [--concurrency 10] [--log-level warn]     (needs `make cluster-up`)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  type KubernetesObject,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import { resolve } from '../core/api/resolve.ts';
import { API_VERSION, type ClusterBootstrap, FIELD_MANAGER, KIND } from '../core/api/types.ts';
import { validate } from '../core/api/validate.ts';
import { parseConfig } from '../operator/config.ts';
import { renderChildren } from '../operator/controller/kinds.ts';
import { type Member, renderSharedRbac } from '../operator/render/index.ts';
import { clients, ensureCrd, Operator, REPO_ROOT } from '../test-e2e/lib/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}
const N = arg('n', 100);
const CONCURRENCY = arg('concurrency', 10);
/** The floor's appliers: as many as the operator's ClusterBootstrap workers. */
const WORKERS = parseConfig({}, 'bench').clusterBootstrapConcurrency;
/** --log-level debug: the operator's log (in .cluster/logs/bench/) shows every reconcile. */
const LOG_LEVEL = process.argv.includes('--log-level')
  ? String(process.argv[process.argv.indexOf('--log-level') + 1])
  : 'warn';

function cbBody(name: string): ClusterBootstrap {
  // replicas 0: the benchmark measures the control loop, not pod start-up.
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name },
    spec: { image: 'pekko-bootstrap-agent:dev', workload: 'agent', replicas: 0 },
  };
}

/** Watches the namespace's Deployments, ServiceAccounts, Roles and RoleBindings; records when each CB is complete. */
async function tracker(ns: string, names: string[]) {
  const kc = clients().kc;
  const seen = { d: new Set<string>(), sa: new Set<string>(), subjects: new Set<string>(), role: false };
  const done = new Map<string, number>();
  let onComplete: () => void = () => undefined;
  const complete = new Promise<void>((r) => {
    onComplete = r;
  });
  const check = () => {
    const now = Date.now();
    if (!seen.role) return;
    for (const n of names) {
      if (!done.has(n) && seen.d.has(n) && seen.sa.has(n) && seen.subjects.has(n)) done.set(n, now);
    }
    if (done.size === names.length) onComplete();
  };
  const api = clients();
  const deployments = makeInformer(kc, `/apis/apps/v1/namespaces/${ns}/deployments`, () =>
    api.apps.listNamespacedDeployment({ namespace: ns }),
  );
  const accounts = makeInformer(kc, `/api/v1/namespaces/${ns}/serviceaccounts`, () =>
    api.core.listNamespacedServiceAccount({ namespace: ns }),
  );
  const roles = makeInformer(kc, `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, () =>
    api.rbac.listNamespacedRole({ namespace: ns }),
  );
  const bindings = makeInformer(kc, `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, () =>
    api.rbac.listNamespacedRoleBinding({ namespace: ns }),
  );
  deployments.on('add', (o) => {
    seen.d.add(o.metadata?.name ?? '');
    check();
  });
  accounts.on('add', (o) => {
    seen.sa.add(o.metadata?.name ?? '');
    check();
  });
  roles.on('add', (o) => {
    if (o.metadata?.name === 'pod-reader') seen.role = true;
    check();
  });
  const onBinding = (o: V1RoleBinding) => {
    if (o.metadata?.name !== 'read-pods') return;
    for (const s of o.subjects ?? []) seen.subjects.add(s.name);
    check();
  };
  bindings.on('add', onBinding);
  bindings.on('update', onBinding);
  let stopping = false;
  const informers = [deployments, accounts, roles, bindings];
  for (const i of informers) i.on('error', (err) => !stopping && console.error('watch error', err));
  await Promise.all(informers.map((i) => i.start()));
  return {
    done,
    complete,
    stop: () => {
      stopping = true;
      return Promise.all(informers.map((i) => i.stop()));
    },
  };
}

/** Runs fn over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
    }),
  );
}

interface RunResult {
  latencies: number[];
  wallMs: number;
}

/** Creates the CBs (and, for the floor, applies the children); returns per-CB latency and the wall time. */
async function run(mode: 'operator' | 'floor', ns: string, names: string[]): Promise<RunResult> {
  const objects = KubernetesObjectApi.makeApiClient(clients().kc);
  const track = await tracker(ns, names);
  const created = new Map<string, number>();
  const members: Member[] = [];
  // The shared objects: one writer, each write covering every member so far (what the operator's namespace key does).
  let rbacBusy = false;
  let rbacApplied = 0;
  const kickRbac = () => {
    if (rbacBusy) return;
    rbacBusy = true;
    void (async () => {
      while (rbacApplied < members.length) {
        const snapshot = [...members];
        const shared = renderSharedRbac(ns, snapshot);
        if (shared) await Promise.all([apply(shared.role), apply(shared.roleBinding)]);
        rbacApplied = snapshot.length;
      }
      rbacBusy = false;
    })();
  };
  const apply = (o: KubernetesObject) =>
    objects.patch(o, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  // Floor: an ideal controller in this process, with as many workers as the operator has, fed the instant a create
  // returns (no watch, no cache, no status, no events).
  const applyQueue: ClusterBootstrap[] = [];
  const waiting: (() => void)[] = [];
  let creating = true;
  const applier = async () => {
    for (;;) {
      const cb = applyQueue.shift();
      if (!cb) {
        if (!creating) return;
        await new Promise<void>((r) => waiting.push(r));
        continue;
      }
      const v = validate(cb);
      if (!v.spec) throw new Error(v.errors.join('; '));
      const r = resolve(cb, v.spec);
      await Promise.all(renderChildren(cb, r).map(apply));
      members.push({ cb, account: r.serviceAccountName });
      kickRbac();
    }
  };
  const appliers = mode === 'floor' ? Array.from({ length: WORKERS }, applier) : [];
  const t0 = Date.now();
  await pool(names, CONCURRENCY, async (name) => {
    const cb = (await objects.create({ ...cbBody(name), metadata: { name, namespace: ns } })) as ClusterBootstrap;
    created.set(name, Date.now());
    if (mode === 'floor') {
      applyQueue.push(cb);
      waiting.shift()?.();
    }
  });
  creating = false;
  for (const w of waiting.splice(0)) w();
  await Promise.all(appliers);
  await Promise.race([
    track.complete,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${mode}: not complete after 300 s`)), 300_000)),
  ]);
  const wallMs = Math.max(...track.done.values()) - t0;
  await track.stop();
  return { latencies: names.map((n) => (track.done.get(n) as number) - (created.get(n) as number)), wallMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function summary(r: RunResult) {
  const s = [...r.latencies].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) as number, wallMs: r.wallMs };
}

async function main(): Promise<void> {
  await ensureCrd();
  const names = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
  const suffix = Date.now().toString(36);
  const results: Record<string, ReturnType<typeof summary>> = {};
  for (const mode of ['floor', 'operator'] as const) {
    const ns = `bench-${mode}-${suffix}`;
    await clients().core.createNamespace({ body: { metadata: { name: ns } } });
    const op = mode === 'operator' ? await Operator.start(ns, 'bench', { LOG_LEVEL }) : undefined;
    try {
      results[mode] = summary(await run(mode, ns, names));
    } finally {
      await op?.stop();
      await clients()
        .core.deleteNamespace({ name: ns })
        .catch(() => undefined);
    }
    console.log(`${mode}: ${JSON.stringify(results[mode])}`);
  }
  const o = results.operator as ReturnType<typeof summary>;
  const f = results.floor as ReturnType<typeof summary>;
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  const rows = [
    `| | p50 (ms) | p99 (ms) | max (ms) | all ${N} done (ms) |`,
    '|---|---|---|---|---|',
    `| operator | ${o.p50} | ${o.p99} | ${o.max} | ${o.wallMs} |`,
    `| floor (direct SSA, one process) | ${f.p50} | ${f.p99} | ${f.max} | ${f.wallMs} |`,
    `| ratio operator / floor | ${ratio(o.p50, f.p50)} | ${ratio(o.p99, f.p99)} | ${ratio(o.max, f.max)} | ${ratio(o.wallMs, f.wallMs)} |`,
  ];
  const md = [
    '# Operator benchmark: apply → all children exist',
    '',
    `Command: \`node bench/operator.bench.ts --n ${N} --concurrency ${CONCURRENCY}\` (after \`make cluster-up\`).`,
    `Run: ${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, the local cluster (real kube-apiserver and etcd).`,
    '',
    `${N} ClusterBootstraps (replicas 0) created ${CONCURRENCY} at a time, in a fresh namespace per run. Latency per resource:`,
    'from its create call returning to its Deployment, its ServiceAccount, Role pod-reader and RoleBinding read-pods',
    'naming its account all being seen by a watch from the benchmark process.',
    '',
    `The floor is an ideal controller inside the benchmark process: ${WORKERS} appliers (the operator's worker count) apply`,
    "each resource's rendered Deployment and ServiceAccount with server-side apply the moment its create returns, and",
    'one writer keeps the shared Role and RoleBinding up to date with every member so far. No watch, no cache, no',
    'ownership GET, no status, no Events. The operator additionally pays: the watch delivering the resource, a GET per',
    'child not yet in its cache (to never overwrite a foreign object), status writes and Events.',
    '',
    'The machine is shared with the control plane (and, during development, other builds): repeated runs vary by tens',
    'of percent; compare the two rows of one run.',
    '',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'operator.md'), md);
  console.log(`\n${rows.join('\n')}\n\nwritten to bench/results/operator.md`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
