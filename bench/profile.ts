// Where the operator's memory and idle CPU go: the scale benchmark's setup (N resources × 3 status-only pods, silent
// or answered by the responder, the compiled operator as the chart's ServiceAccount), with the operator started
// under `--cpu-prof` and `--heapsnapshot-signal`. After every status is correct and a settle pause: a heap snapshot
// (live objects only), then an idle window whose CPU profile is summarized (by area, by function, inclusive), with
// the operator's own counters over it. Not a benchmark (the profiler costs CPU): it says where, the scale benchmark
// says how much.
//
//   node bench/profile.ts [--n 300] [--pods silent|answering] [--idle-seconds 120] [--settle-seconds 30]
//     [--limit none|chart]                                                            (needs `make cluster-up`)
// Writes .cluster/logs/bench/profile-<pods>-<n>-<time>/ (the .cpuprofile, the .heapsnapshot and summary.md).
// `--limit chart` runs it under the chart's memory limit (V8 then sizes its heap for 256 MiB; the snapshot itself
// needs memory and may be killed there); the default runs it without one, as `make operator-up` does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterLayout, ensureCrd, REPO_ROOT, waitFor } from '../test-e2e/lib/index.ts';
import { type CpuProfile, summarizeCpuProfile } from './lib/cpuprofile.ts';
import { type HeapSnapshot, summarizeHeapSnapshot } from './lib/heapsnapshot.ts';
import { createIdentity } from './lib/identity.ts';
import { chartMemoryLimit, type MemoryLimit, memoryLimit } from './lib/memory-limit.ts';
import { PodFeed } from './lib/pod-feed.ts';
import { cpuSeconds, memory } from './lib/proc.ts';
import { type Sample, sum } from './lib/prom.ts';
import { ResponderProcess } from './lib/responder.ts';
import { sleep } from './lib/stats.ts';
import { Subject } from './lib/subject.ts';
import { Tracker } from './lib/tracker.ts';
import { createNamespaces, createResources, deleteRuns, layoutFor, registerStatusOnlyImage } from './lib/workload.ts';

const flag = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? String(process.argv[i + 1]) : dflt;
};
const N = Number(flag('n', '300'));
const PODS = flag('pods', 'silent');
const IDLE_S = Number(flag('idle-seconds', '120'));
const SETTLE_S = Number(flag('settle-seconds', '30'));
const LIMIT = flag('limit', 'none');
if (!Number.isInteger(N) || N < 1) throw new Error('--n: expected a positive whole number');
if (PODS !== 'silent' && PODS !== 'answering') throw new Error('--pods: expected silent or answering');
if (LIMIT !== 'none' && LIMIT !== 'chart') throw new Error('--limit: expected none or chart');

const NO_LIMIT: MemoryLimit = {
  bytes: 0,
  how: 'no memory limit',
  wrap: (command, args) => ({ command, args }),
  usage: () => undefined,
  remove: () => undefined,
};
const MIB = 2 ** 20;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function main(): Promise<void> {
  await ensureCrd();
  execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
  const dir = join(clusterLayout().logs, 'bench', `profile-${PODS}-${N}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  registerStatusOnlyImage();
  const identity = await createIdentity();
  const layout = layoutFor(`prof${Date.now().toString(36).slice(-4)}`, N, 10);
  const responder = PODS === 'answering' ? await ResponderProcess.start() : undefined;
  const feed = new PodFeed(responder);
  const tracker: Tracker = new Tracker({
    namespaces: new Set(layout.namespaces),
    total: N,
    statusCorrect: (cb) => {
      const s = cb.status;
      const oldest = feed.oldest(`${cb.metadata.namespace}/${cb.metadata.name}`);
      if (PODS === 'silent') return s?.phase === 'Forming' && s.readyContactPoints === 3;
      return s?.phase === 'Formed' && s.members === 3 && s.seedNode === oldest;
    },
    onPod: (pod, deleted) => {
      const cluster = feed.onPod(pod, deleted);
      if (cluster) tracker.recheck(cluster);
    },
  });
  const limit =
    LIMIT === 'chart'
      ? memoryLimit(
          `pbo-bench-${process.pid}-profile`,
          chartMemoryLimit(readFileSync(join(REPO_ROOT, 'charts', 'pekko-bootstrap-operator', 'values.yaml'), 'utf8')),
        )
      : NO_LIMIT;
  let subject: Subject | undefined;
  try {
    await createNamespaces(layout);
    await tracker.start();
    subject = await Subject.start({
      kind: 'ours',
      kubeconfig: identity.kubeconfig,
      limit,
      label: `profile-${PODS}-${N}`,
      nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`],
    });
    const s = subject;
    const rssBefore = memory(s.pid)?.rssBytes ?? 0;
    await createResources(layout, 3, 20);
    await waitFor(() => tracker.statusesCorrect, { what: 'every status correct', timeoutMs: 900_000, intervalMs: 500 });
    await sleep(SETTLE_S * 1000);
    const settled = await s.metrics();
    const rssSettled = memory(s.pid)?.rssBytes ?? 0;
    s.signal('SIGUSR2');
    const snapshotDone = () => readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    await waitFor(snapshotDone, { what: 'the heap snapshot', timeoutMs: 300_000, intervalMs: 1000 });
    await sleep(15_000); // the snapshot's own work and the probes it delayed
    const before = { cpu: cpuSeconds(s.pid) ?? 0, m: await s.metrics(), writes: tracker.cbWrites, at: Date.now() };
    await sleep(IDLE_S * 1000);
    const after = { cpu: cpuSeconds(s.pid) ?? 0, m: await s.metrics(), writes: tracker.cbWrites, at: Date.now() };
    await s.stop();
    const profileFile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!profileFile) throw new Error(`no CPU profile in ${dir}: ${s.tail(5)}`);
    const cpu = summarizeCpuProfile(JSON.parse(readFileSync(join(dir, profileFile), 'utf8')) as CpuProfile, {
      lastSeconds: (after.at - before.at) / 1000,
      skipEndSeconds: 0.5,
      repoRoot: REPO_ROOT,
      top: 40,
    });
    const heap = summarizeHeapSnapshot(
      JSON.parse(readFileSync(join(dir, snapshotDone() as string), 'utf8')) as HeapSnapshot,
    );
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sum(after.m, name, labels) - sum(before.m, name, labels);
    const gauge = (m: Sample[], name: string, labels: Record<string, string> = {}) =>
      (sum(m, `pekko_bootstrap_operator_${name}`, labels) / MIB).toFixed(0);
    const p = 'pekko_bootstrap_operator_';
    const lines = [
      `# Profile: N = ${N} × 3 pods, ${PODS}, ${LIMIT === 'chart' ? limit.how : 'no memory limit'}`,
      '',
      `Command: \`node bench/profile.ts ${process.argv.slice(2).join(' ')}\`; ${new Date().toISOString()}.`,
      '',
      `RSS before the first resource ${(rssBefore / MIB).toFixed(0)} MiB; settled ${(rssSettled / MIB).toFixed(0)} MiB.`,
      `Heap after settling: used ${gauge(settled, 'nodejs_heap_size_used_bytes')} MiB, reserved ${gauge(settled, 'nodejs_heap_size_total_bytes')} MiB (young generation ${gauge(settled, 'nodejs_heap_space_size_total_bytes', { space: 'new' })} MiB, old ${gauge(settled, 'nodejs_heap_space_size_total_bytes', { space: 'old' })} MiB), external ${gauge(settled, 'nodejs_external_memory_bytes')} MiB.`,
      `Live heap in the snapshot: ${(heap.totalBytes / MIB).toFixed(1)} MiB in ${heap.objects} objects.`,
      '',
      `Idle window ${cpu.windowSeconds.toFixed(0)} s: process CPU ${(after.cpu - before.cpu).toFixed(1)} s (all threads); main thread busy ${cpu.busySeconds.toFixed(1)} s in the profile; ${delta(`${p}reconcile_duration_seconds_count`)} reconciles (${delta(`${p}reconcile_duration_seconds_count`, { controller: 'clusterbootstrap' })} clusterbootstrap, ${delta(`${p}reconcile_duration_seconds_count`, { controller: 'namespace-rbac' })} namespace-rbac), ${delta(`${p}probes_total`)} probes, ${after.writes - before.writes} status writes, GC ${delta(`${p}nodejs_gc_duration_seconds_sum`).toFixed(1)} s in ${delta(`${p}nodejs_gc_duration_seconds_count`)} runs.`,
      '',
      '## Idle CPU by area (self time, share of busy samples)',
      '',
      ...cpu.byArea.map(([k, v]) => `- ${pct(v)} ${k}`),
      '',
      '## Idle CPU by function, inclusive',
      '',
      ...cpu.inclusive.map(([k, v]) => `- ${pct(v)} \`${k}\``),
      '',
      '## Idle CPU by function, self',
      '',
      ...cpu.self.map(([k, v]) => `- ${pct(v)} \`${k}\``),
      '',
      '## Live heap by kind (self size)',
      '',
      ...heap.byKind.map(([k, b, c]) => `- ${(b / MIB).toFixed(2)} MiB, ${c} × ${k}`),
      '',
      '## Long strings (over 200 characters) by how they start',
      '',
      ...heap.longStrings.map(([k, b, c]) => `- ${(b / MIB).toFixed(2)} MiB, ${c} × \`${k.replace(/`/g, "'")}\``),
      '',
    ];
    writeFileSync(join(dir, 'summary.md'), lines.join('\n'));
    console.log(lines.join('\n'));
    console.log(`\nwritten to ${dir}/summary.md`);
  } finally {
    if (subject?.running) await subject.stop();
    limit.remove();
    await tracker.stop();
    await responder?.close();
    await identity.remove();
    await deleteRuns(layout.runId);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
