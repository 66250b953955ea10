// bench/results/scale.md, regenerated from bench/results/scale.json (every run's raw figures; for each N and phase
// the newest run that measured it), so that a run for one N or one phase does not erase the others.
import type { Machine } from './machine.ts';
import { describeMachine } from './machine.ts';
import type { PhaseResult } from './phase.ts';
import { median, mib, ratio } from './stats.ts';

export interface ScaleRun {
  n: number;
  replicas: number;
  command: string;
  startedAt: string;
  machine: Machine;
  idleSeconds: number;
  repeat: number;
  results: PhaseResult[];
}

const PHASE_TITLES: Record<string, string> = {
  'ours-silent': 'ours, silent pods',
  'ours-answering': 'ours, answering pods',
  'peer-silent': 'Go peer',
};

/** The median of each numeric field over repeated phases (other fields from the first, problems from all). */
export function medianOf(rs: PhaseResult[]): PhaseResult {
  const first = rs[0] as PhaseResult;
  const out: Record<string, unknown> = { ...first, problems: rs.flatMap((r) => r.problems) };
  for (const [k, v] of Object.entries(first)) {
    if (typeof v !== 'number') continue;
    const values = rs.map((r) => (r as unknown as Record<string, unknown>)[k]).filter((x) => typeof x === 'number');
    out[k] = median(values as number[]);
  }
  return out as unknown as PhaseResult;
}

const secs = (ms: number | undefined) => (ms === undefined ? 'not reached' : (ms / 1000).toFixed(1));
const num = (x: number | undefined, digits = 0) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

interface Row {
  label: string;
  value: (r: PhaseResult) => string;
  /** the number the ours / peer ratio compares, if it makes sense */
  compare?: (r: PhaseResult) => number | undefined;
}

const pair = (a: number | undefined, b: number | undefined) => `${num(a)} / ${num(b)}`;

const ROWS: Row[] = [
  { label: 'the creates took (s)', value: (r) => secs(r.createsMs) },
  { label: 'time to all children applied (s)', value: (r) => secs(r.childrenMs), compare: (r) => r.childrenMs },
  { label: 'time to all statuses correct (s)', value: (r) => secs(r.statusMs), compare: (r) => r.statusMs },
  { label: 'time to all pods Ready (s)', value: (r) => (r.podsReadyMs === undefined ? 'n/a' : secs(r.podsReadyMs)) },
  {
    label: 'per resource, create → children, p50 / p99 (ms)',
    value: (r) => pair(r.childrenP50Ms, r.childrenP99Ms),
    compare: (r) => r.childrenP99Ms,
  },
  {
    label: 'per resource, create → correct status, p50 / p99 (ms)',
    value: (r) => pair(r.statusP50Ms, r.statusP99Ms),
    compare: (r) => r.statusP99Ms,
  },
  {
    label: 'RSS before the first resource (MiB)',
    value: (r) => mib(r.rssBeforeBytes),
    compare: (r) => r.rssBeforeBytes,
  },
  { label: 'peak RSS (MiB)', value: (r) => mib(r.peakRssBytes), compare: (r) => r.peakRssBytes },
  { label: 'peak charged to the memory cgroup (MiB)', value: (r) => mib(r.peakChargedBytes) },
  {
    label: 'settled RSS, median over the idle window (MiB)',
    value: (r) => mib(r.settledRssBytes),
    compare: (r) => r.settledRssBytes,
  },
  { label: 'heap used at the end (MiB)', value: (r) => mib(r.heapUsedBytes), compare: (r) => r.heapUsedBytes },
  {
    label: 'heap reserved / of it young generation (MiB)',
    value: (r) => `${mib(r.heapTotalBytes)} / ${r.youngGenBytes === undefined ? '-' : mib(r.youngGenBytes)}`,
  },
  {
    label: 'CPU while idle (s over the window, % of one core)',
    value: (r) =>
      r.idleCpuSeconds === undefined
        ? 'n/a'
        : `${r.idleCpuSeconds.toFixed(1)} (${((100 * r.idleCpuSeconds) / r.idleSeconds).toFixed(1)} %)`,
    compare: (r) => r.idleCpuSeconds,
  },
  {
    label: 'API requests per minute while idle (of them watches opened)',
    value: (r) => `${num(r.idleApiPerMin, 1)} (${num(r.idleWatchesPerMin, 1)})`,
    compare: (r) => r.idleApiPerMin,
  },
  {
    label: "probe requests per minute while idle (responder's count / operator's probes)",
    value: (r) => `${num(r.idleProbesAnsweredPerMin, 1)} / ${num(r.idleProbesCountedPerMin, 1)}`,
  },
  { label: 'status writes while idle', value: (r) => num(r.idleStatusWrites) },
  { label: "applies while idle (operator's counter)", value: (r) => num(r.idleApplies) },
  { label: 'OOM kills in the cgroup', value: (r) => num(r.oomKills) },
  { label: 'other processes during the idle window (% of the machine)', value: (r) => num(r.othersBusyPercent, 0) },
];

/** One N: for each phase the results of the newest run that measured it, and the runs they came from. */
function section(runs: ScaleRun[]): string[] {
  const chosen = new Map<string, { run: ScaleRun; results: PhaseResult[] }>();
  for (const run of runs) {
    const byPhase = new Map<string, PhaseResult[]>();
    for (const r of run.results) {
      const k = `${r.subject}-${r.pods}`;
      byPhase.set(k, [...(byPhase.get(k) ?? []), r]);
    }
    for (const [k, results] of byPhase) chosen.set(k, { run, results });
  }
  const order = Object.keys(PHASE_TITLES);
  const phases = [...chosen.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const cells = phases.map((p) => medianOf(chosen.get(p)?.results as PhaseResult[]));
  const ours = cells[phases.indexOf('ours-silent')];
  const peer = cells[phases.indexOf('peer-silent')];
  const withRatio = ours !== undefined && peer !== undefined;
  const head = ['', ...phases.map((p) => PHASE_TITLES[p] ?? p), ...(withRatio ? ['ours (silent) / peer'] : [])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of ROWS) {
    const ratioCell = withRatio ? [row.compare ? ratio(row.compare(ours), row.compare(peer)) : ''] : [];
    lines.push(`| ${[row.label, ...cells.map(row.value), ...ratioCell].join(' | ')} |`);
  }
  const oneLine = (p: string) => {
    const line = p.replace(/\s*\n\s*/g, ' ');
    return line.length > 300 ? `${line.slice(0, 300)}…` : line;
  };
  const problems = cells.flatMap((c, i) => c.problems.map((p) => `- ${phases[i]}: ${oneLine(p)}`));
  const used = [...new Set(phases.map((p) => chosen.get(p)?.run as ScaleRun))];
  const first = used[0] as ScaleRun;
  return [
    `## N = ${first.n} resources × R = ${first.replicas} pods`,
    '',
    ...used.map(
      (run) =>
        `- \`${run.command}\` (${phases.filter((p) => chosen.get(p)?.run === run).join(', ')}): ${run.startedAt}; ${describeMachine(run.machine)}; idle window ${run.idleSeconds} s${run.repeat > 1 ? `, each phase ${run.repeat} times, medians shown` : ''}.`,
    ),
    `- Memory limit: ${first.results[0]?.limitHow.replace(/pbo-bench-[^,]*/, 'pbo-bench-<pid>-<phase>') ?? 'n/a'}.`,
    '',
    ...lines,
    '',
    ...(problems.length ? ['Problems seen:', '', ...problems, ''] : []),
  ];
}

export function renderScaleReport(runs: ScaleRun[], intro: string[]): string {
  const byN = new Map<number, ScaleRun[]>();
  for (const r of runs) byN.set(r.n, [...(byN.get(r.n) ?? []), r]);
  const sections = [...byN.keys()].sort((a, b) => a - b).flatMap((n) => section(byN.get(n) as ScaleRun[]));
  return [...intro, '', ...sections].join('\n');
}
