// Benchmark of the observed status (issue 6) on the local cluster, through an operator process (node
// operator/main.ts watching one namespace). Not part of `make test`.
//
// (a) apply -> Formed for 3 agent pods, over --runs runs, next to the floor: the pods' start (apply -> all 3 pods
//     Running) + the stable margin (5 s) + one fast probe interval (2 s). Also split: when the pods themselves had
//     formed (the last "joined cluster" line of the agents' logs) and the status lag after that.
// (b) status latency from a pod's readiness change to the status showing it, over --samples cycles on a Formed
//     3-pod cluster, alternating a SIGKILL of a pod's process (Ready -> False, then True when the restarted agent has
//     rejoined) and a graceful delete (deletionTimestamp, then a new pod turns Ready). "down": from the pod event
//     (Ready=False or deletionTimestamp) to status.readyContactPoints < 3; "up": from the pod event Ready=True to
//     status.readyContactPoints = 3 again.
// Every time is the receive time of a watch event in this process (one clock, milliseconds); the pods' own
// timestamps have whole seconds only. Writes bench/results/status.md.
//
//   node bench/status.bench.ts [--runs 5] [--samples 20]        (needs `make cluster-up`)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, type V1Pod, Watch } from '@kubernetes/client-node';
import type { ClusterBootstrap } from '../core/api/types.ts';
import { clients, clusterLayout, ensureCrd, isReady, REPO_ROOT, waitFor, withOperator } from '../test-e2e/lib/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}
const RUNS = arg('runs', 5);
const SAMPLES = arg('samples', 20);
const GROUP = 'bootstrap.pekko-operator.dev';
const INSTANCE = 'app.kubernetes.io/instance';
const STABLE_MARGIN_MS = 5000;
const FAST_PROBE_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- what the watches saw, with receive times ------------------------------------------------------------------

interface PodMark {
  t: number;
  pod: string;
  uid: string;
  instance: string;
  what: 'added' | 'running' | 'ready' | 'notReady' | 'deleting' | 'deleted';
}
interface CbMark {
  t: number;
  name: string;
  phase?: string;
  members?: number;
  readyContactPoints?: number;
  /** Rows that are ready and carry the node address from the pod's own (post-readiness) answer. */
  answered: number;
}

/** Watches pods and ClusterBootstraps of a namespace; records transitions (re-watches when a watch ends). */
class Recorder {
  readonly pods: PodMark[] = [];
  readonly cbs: CbMark[] = [];
  private readonly podState = new Map<string, { running: boolean; ready: boolean; deleting: boolean }>();
  private readonly aborts: AbortController[] = [];
  private stopped = false;

  async start(ns: string): Promise<void> {
    void this.watch(`/api/v1/namespaces/${ns}/pods`, (type, o) => this.onPod(type, o as V1Pod));
    void this.watch(`/apis/${GROUP}/v1alpha1/namespaces/${ns}/clusterbootstraps`, (_type, o) => {
      const cb = o as ClusterBootstrap;
      const s = cb.status;
      this.cbs.push({
        t: Date.now(),
        name: cb.metadata.name ?? '',
        ...(s?.phase ? { phase: s.phase } : {}),
        ...(s?.members !== undefined ? { members: s.members } : {}),
        ...(s?.readyContactPoints !== undefined ? { readyContactPoints: s.readyContactPoints } : {}),
        answered: s?.contactPoints?.filter((c) => c.ready && c.node).length ?? 0,
      });
    });
    await sleep(1000);
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
  }

  /** Keeps a watch open until stop(): another suite may restart the API server meanwhile. */
  private async watch(path: string, on: (type: string, obj: unknown) => void): Promise<void> {
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        new Watch(clients().kc)
          .watch(path, {}, on, () => resolve())
          .then(
            (a) => this.aborts.push(a),
            () => resolve(),
          );
      });
      await sleep(200);
    }
  }

  private onPod(type: string, p: V1Pod): void {
    const t = Date.now();
    const pod = p.metadata?.name ?? '';
    const base = { t, pod, uid: p.metadata?.uid ?? '', instance: p.metadata?.labels?.[INSTANCE] ?? '' };
    const prev = this.podState.get(pod);
    if (type === 'DELETED') {
      this.podState.delete(pod);
      this.pods.push({ ...base, what: 'deleted' });
      return;
    }
    const now = {
      running: p.status?.phase === 'Running',
      ready: isReady(p),
      deleting: Boolean(p.metadata?.deletionTimestamp),
    };
    this.podState.set(pod, now);
    if (!prev) this.pods.push({ ...base, what: 'added' });
    if (now.running && !prev?.running) this.pods.push({ ...base, what: 'running' });
    if (now.ready && !prev?.ready) this.pods.push({ ...base, what: 'ready' });
    if (!now.ready && prev?.ready) this.pods.push({ ...base, what: 'notReady' });
    if (now.deleting && !prev?.deleting) this.pods.push({ ...base, what: 'deleting' });
  }

  /** The first CB mark of `name` after `t` matching `pred` (waits for it). */
  cbAfter(name: string, t: number, pred: (m: CbMark) => boolean, what: string): Promise<CbMark> {
    return waitFor(() => this.cbs.find((m) => m.name === name && m.t >= t && pred(m)), {
      what,
      timeoutMs: 180_000,
      intervalMs: 50,
    });
  }

  podAfter(t: number, pred: (m: PodMark) => boolean, what: string): Promise<PodMark> {
    return waitFor(
      () => {
        const hit = this.pods.find((m) => m.t >= t && pred(m));
        if (!hit) throw new Error(`pod marks since: ${JSON.stringify(this.pods.filter((m) => m.t >= t - 5000))}`);
        return hit;
      },
      { what, timeoutMs: 180_000, intervalMs: 50 },
    );
  }
}

// ---- helpers -----------------------------------------------------------------------------------------------------

const custom = () => clients().kc.makeApiClient(CustomObjectsApi);
const cbRef = (ns: string) => ({ group: GROUP, version: 'v1alpha1', namespace: ns, plural: 'clusterbootstraps' });

async function createCb(ns: string, name: string): Promise<void> {
  await custom().createNamespacedCustomObject({
    ...cbRef(ns),
    body: {
      apiVersion: `${GROUP}/v1alpha1`,
      kind: 'ClusterBootstrap',
      metadata: { name },
      spec: { image: 'pekko-bootstrap-agent:dev', workload: 'agent', replicas: 3 },
    },
  });
}

async function podsOf(ns: string, name: string): Promise<V1Pod[]> {
  const list = await clients().core.listNamespacedPod({ namespace: ns, labelSelector: `${INSTANCE}=${name}` });
  return list.items;
}

/** Epoch ms of the last "formed a new cluster" / "joined cluster" line in the app logs of these pods. */
function lastJoin(ns: string, pods: string[]): number | undefined {
  const dir = clusterLayout().podLogs;
  let last: number | undefined;
  for (const f of readdirSync(dir)) {
    if (!pods.some((p) => f === `${ns}_${p}_app.log`)) continue;
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.includes('"msg":"joined cluster"') && !line.includes('"msg":"formed a new cluster"')) continue;
      const t = Date.parse((JSON.parse(line) as { time: string }).time);
      if (last === undefined || t > last) last = t;
    }
  }
  return last;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  // Nearest rank: with 20 samples p99 is the largest.
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
}
const sec = (ms: number) => (ms / 1000).toFixed(2);

// ---- (a) apply -> Formed -----------------------------------------------------------------------------------------

interface FormRun {
  run: number;
  running: number;
  joined: number;
  formed: number;
  floor: number;
  byTimestamps: number;
}

async function formation(ns: string, rec: Recorder, run: number): Promise<FormRun> {
  const name = `form-${run}`;
  const t0 = Date.now();
  await createCb(ns, name);
  const formed = await rec.cbAfter(name, t0, (m) => m.phase === 'Formed' && m.members === 3, `${name} Formed`);
  const marks = rec.pods.filter((m) => m.instance === name && m.what === 'running' && m.t >= t0);
  const pods = await podsOf(ns, name);
  if (marks.length < 3 || pods.length !== 3)
    throw new Error(`${name}: ${marks.length} Running marks, ${pods.length} pods`);
  const running = Math.max(...marks.map((m) => m.t)) - t0;
  const joined =
    (lastJoin(
      ns,
      pods.map((p) => p.metadata?.name ?? ''),
    ) ?? Number.NaN) - t0;
  // The same span from the objects' own (whole-second) timestamps, as a cross-check.
  const created = Math.min(...pods.map((p) => new Date(p.metadata?.creationTimestamp ?? 0).getTime()));
  const started = Math.max(
    ...pods.map((p) => new Date(p.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? 0).getTime()),
  );
  const r = {
    run,
    running,
    joined,
    formed: formed.t - t0,
    floor: running + STABLE_MARGIN_MS + FAST_PROBE_MS,
    byTimestamps: started - created,
  };
  console.log(
    `run ${run}: all Running ${sec(r.running)} s (pod timestamps: created -> started ${sec(r.byTimestamps)} s), ` +
      `pods joined ${sec(r.joined)} s, status Formed ${sec(r.formed)} s, floor ${sec(r.floor)} s`,
  );
  await custom().deleteNamespacedCustomObject({ ...cbRef(ns), name, propagationPolicy: 'Foreground' });
  await waitFor(async () => (await podsOf(ns, name)).length === 0, { what: `${name}'s pods gone`, timeoutMs: 120_000 });
  return r;
}

// ---- (b) readiness change -> status ------------------------------------------------------------------------------

interface Sample {
  kind: 'sigkill' | 'delete';
  /** From the kill or delete call to the status showing fewer ready (includes the kubelet noticing). */
  action: number;
  down: number;
  up: number;
  formedAgain: number;
}

async function latency(ns: string, rec: Recorder, i: number): Promise<Sample> {
  const name = 'lat';
  const kind = i % 2 === 0 ? 'sigkill' : 'delete';
  // Start from the settled state: 3 pods Ready, and the status Formed with every row answered. (Formed alone comes
  // before the last pod's readiness probe has passed; a kill then would change no readiness.)
  const { cb, pods } = await waitFor(
    async () => {
      const cb = (await custom().getNamespacedCustomObject({ ...cbRef(ns), name })) as ClusterBootstrap;
      const pods = (await podsOf(ns, name)).filter((p) => !p.metadata?.deletionTimestamp);
      const rows = cb.status?.contactPoints ?? [];
      const settled =
        pods.length === 3 &&
        pods.every(isReady) &&
        cb.status?.phase === 'Formed' &&
        cb.status.members === 3 &&
        rows.length === 3 &&
        rows.every((c) => c.ready && c.node);
      return settled && { cb, pods };
    },
    { what: `${name} settled`, timeoutMs: 180_000 },
  );
  // Never the seed (its loss also moves the seed, a longer story than a readiness change), and the pod restarted
  // least (the kubelet's crash back-off grows with each restart).
  const victim = pods
    .filter((p) => !cb.status?.seedNode?.includes(`@${p.status?.podIP}:`))
    .sort(
      (a, b) =>
        (a.status?.containerStatuses?.[0]?.restartCount ?? 0) - (b.status?.containerStatuses?.[0]?.restartCount ?? 0),
    )[0] as V1Pod;
  const vname = victim.metadata?.name ?? '';
  const t0 = Date.now();
  if (kind === 'sigkill') {
    const file = join(clusterLayout().pods, victim.metadata?.uid ?? '', 'pids', 'app.json');
    const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    process.kill(-pid, 'SIGKILL');
  } else {
    await clients().core.deleteNamespacedPod({ name: vname, namespace: ns });
  }
  const downPod = await rec.podAfter(
    t0,
    (m) => m.pod === vname && (m.what === 'notReady' || m.what === 'deleting'),
    `${vname} not Ready`,
  );
  const downCb = await rec.cbAfter(name, t0, (m) => (m.readyContactPoints ?? 3) < 3, 'status: fewer ready');
  const upPod = await rec.podAfter(
    downPod.t,
    (m) => m.instance === name && m.what === 'ready',
    `a pod of ${name} Ready again`,
  );
  const upCb = await rec.cbAfter(name, downCb.t, (m) => m.readyContactPoints === 3, 'status: 3 ready again');
  const formedCb = await rec.cbAfter(
    name,
    upCb.t,
    (m) => m.phase === 'Formed' && m.members === 3 && m.answered === 3,
    'status: Formed with 3 again, every row answered',
  );
  const s = {
    kind,
    action: downCb.t - t0,
    down: downCb.t - downPod.t,
    up: upCb.t - upPod.t,
    formedAgain: formedCb.t - upPod.t,
  } as const;
  console.log(
    `sample ${i + 1} (${kind} ${vname}): kill/delete -> status ${s.action} ms, down ${s.down} ms, up ${s.up} ms, Formed and answered ${s.formedAgain} ms after Ready`,
  );
  // Let the pods settle (the replaced or restarted member removed, nobody unreachable) before the next change.
  await sleep(1000);
  return s;
}

// ---- main --------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await ensureCrd();
  const load = loadavg()[0]?.toFixed(2);
  const started = new Date().toISOString();
  const { runs, samples } = await withOperator(
    async (ns) => {
      const rec = new Recorder();
      await rec.start(ns);
      try {
        const runs: FormRun[] = [];
        for (let i = 1; i <= RUNS; i++) runs.push(await formation(ns, rec, i));
        const t = Date.now();
        await createCb(ns, 'lat');
        await rec.cbAfter('lat', t, (m) => m.phase === 'Formed' && m.members === 3, 'lat Formed');
        const samples: Sample[] = [];
        for (let i = 0; i < SAMPLES; i++) samples.push(await latency(ns, rec, i));
        return { runs, samples };
      } finally {
        rec.stop();
      }
    },
    { prefix: 'bench-status', env: { LOG_LEVEL: 'info' } },
  );

  const p50 = (f: (r: FormRun) => number) => sec(quantile(runs.map(f), 0.5));
  const lat = (xs: number[]) => `${quantile(xs, 0.5)} | ${quantile(xs, 0.99)} | ${Math.min(...xs)}`;
  const of = (k: Sample['kind'] | 'all', f: (s: Sample) => number) =>
    samples.filter((s) => k === 'all' || s.kind === k).map(f);
  const md = [
    '# Status benchmark',
    '',
    `Command: \`node bench/status.bench.ts --runs ${RUNS} --samples ${SAMPLES}\` on the local cluster (\`make cluster-up\`),`,
    `${started}, ${cpus().length} cores shared with other builds and suites (1-min load average at start ${load}).`,
    'Times are receive times of watch events in the benchmark process (one clock, ms); the agents\' "joined cluster"',
    'log lines carry their own ms timestamps from the same machine.',
    '',
    '## (a) apply -> Formed, 3 agent pods',
    '',
    'floor = apply -> all 3 pods Running + stable margin 5 s + one fast probe interval 2 s. "pods joined" is the last',
    '"joined cluster" line of the agents (the cluster exists); "status Formed" is the first watch event with phase',
    "Formed and members 3. The pod timestamps column is created -> started from the pods' own whole-second stamps.",
    '',
    '| run | all Running (s) | pod timestamps (s) | pods joined (s) | status Formed (s) | floor (s) | Formed - floor (s) | status lag after join (s) |',
    '|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.run} | ${sec(r.running)} | ${sec(r.byTimestamps)} | ${sec(r.joined)} | ${sec(r.formed)} | ${sec(r.floor)} | ${sec(r.formed - r.floor)} | ${sec(r.formed - r.joined)} |`,
    ),
    `| p50 | ${p50((r) => r.running)} | ${p50((r) => r.byTimestamps)} | ${p50((r) => r.joined)} | ${p50((r) => r.formed)} | ${p50((r) => r.floor)} | ${p50((r) => r.formed - r.floor)} | ${p50((r) => r.formed - r.joined)} |`,
    '',
    `## (b) pod readiness change -> status, ${SAMPLES} samples`,
    '',
    'down: pod event (Ready=False after a SIGKILL, or deletionTimestamp after a delete) -> status.readyContactPoints < 3.',
    'up: pod event Ready=True (the restarted or replacing pod) -> status.readyContactPoints = 3. Formed and answered: pod',
    'Ready=True -> phase Formed, 3 members, and every row ready with the node address from its own answer (the probe',
    'that follows the readiness change). p99 of 20 samples is the largest.',
    '',
    '| what | samples | p50 (ms) | p99 (ms) | min (ms) |',
    '|---|---|---|---|---|',
    `| down, all | ${of('all', (s) => s.down).length} | ${lat(of('all', (s) => s.down))} |`,
    `| down, SIGKILL | ${of('sigkill', (s) => s.down).length} | ${lat(of('sigkill', (s) => s.down))} |`,
    `| down, delete | ${of('delete', (s) => s.down).length} | ${lat(of('delete', (s) => s.down))} |`,
    `| SIGKILL or delete call -> status fewer ready, all | ${samples.length} | ${lat(of('all', (s) => s.action))} |`,
    `| up, all | ${of('all', (s) => s.up).length} | ${lat(of('all', (s) => s.up))} |`,
    `| Formed and answered after Ready, all | ${samples.length} | ${lat(of('all', (s) => s.formedAgain))} |`,
    '',
    'Per sample (ms): ',
    '',
    '| # | kind | call -> status | down | up | Formed and answered |',
    '|---|---|---|---|---|---|',
    ...samples.map((s, i) => `| ${i + 1} | ${s.kind} | ${s.action} | ${s.down} | ${s.up} | ${s.formedAgain} |`),
    '',
  ].join('\n');
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'status.md'), md);
  console.log(`\n${md}\nwritten to bench/results/status.md`);
}

await main();
