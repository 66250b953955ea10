// bench/results/scale.md, regenerated from bench/results/scale.json (every run's raw figures; for each N and phase
// the newest run that measured it), so that a run for one N or one phase does not erase the others.

import { type LagSummary, overWindow } from './lag.ts';
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
  /** `git describe --always --dirty` of the worktree the controller was compiled from */
  commit?: string;
  /** --label; `before` marks the baseline of the before/after table */
  label?: string;
  /** what a reader must know about the run (added to scale.json by hand, shown after its command) */
  note?: string;
  results: PhaseResult[];
}

const PHASE_TITLES: Record<string, string> = {
  'ours-silent': 'ours, silent pods',
  'ours-answering': 'ours, answering pods',
  'ours-answering-polled': 'ours, answering pods, event streams off',
  'peer-silent': 'Go peer',
};

/** A result's phase name (scale-options.ts PHASES). */
export const phaseKey = (r: PhaseResult) => `${r.subject}-${r.pods}${r.polled ? '-polled' : ''}`;

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

const lagCell = (s: LagSummary | undefined) =>
  s === undefined
    ? 'n/a'
    : `${[s.p50, s.p90, s.p99, s.max].map((x) => num(x)).join(' / ')} (${s.count} samples${s.missed ? `, ${s.missed} missed` : ''})`;

/** The lag window's /cluster/members requests and stream events, against the idle window's rates over its length. */
function lagLoad(r: PhaseResult): string {
  const l = r.lag;
  if (!l) return 'n/a';
  const idle = (perMin: number | undefined) => num(overWindow(perMin, l.windowMs));
  return `${(l.windowMs / 1000).toFixed(1)} s: ${l.membersRequests} / ${l.streamEvents} (idle: ${idle(
    r.idleMembersPerMin,
  )} / ${idle(r.idleStreamEventsPerMin)})`;
}

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
  { label: "event streams open at the end (responder's count)", value: (r) => num(r.streamsOpen) },
  {
    label: 'status lag, a member Removed → the status showing R - 1 members: p50 / p90 / p99 / max (ms)',
    value: (r) => lagCell(r.lag?.removed),
  },
  {
    label: 'status lag, the member Up again → the status showing R members: p50 / p90 / p99 / max (ms)',
    value: (r) => lagCell(r.lag?.up),
  },
  {
    label:
      "status lag window: its length; /cluster/members requests / member events on streams in it (responder's count; in brackets the idle window's rates over the same length)",
    value: lagLoad,
  },
  { label: 'status writes while idle', value: (r) => num(r.idleStatusWrites) },
  { label: "applies while idle (operator's counter)", value: (r) => num(r.idleApplies) },
  {
    label: 'restarted: start → every resource reconciled (s)',
    value: (r) => (r.syncMs === undefined ? 'n/a' : secs(r.syncMs)),
    compare: (r) => r.syncMs,
  },
  {
    label: "restarted, until then: API requests / applies (operator's counter) / status writes",
    value: (r) => `${num(r.syncApiRequests)} / ${num(r.syncApplies)} / ${num(r.syncStatusWrites)}`,
  },
  { label: 'OOM kills in the cgroup', value: (r) => num(r.oomKills) },
  { label: 'other processes during the idle window (% of the machine)', value: (r) => num(r.othersBusyPercent, 0) },
];

/** The figures the before/after table compares. */
const COMPARED = [
  'time to all children applied (s)',
  'time to all statuses correct (s)',
  'per resource, create → children, p50 / p99 (ms)',
  'RSS before the first resource (MiB)',
  'peak RSS (MiB)',
  'settled RSS, median over the idle window (MiB)',
  'heap used at the end (MiB)',
  'CPU while idle (s over the window, % of one core)',
  'API requests per minute while idle (of them watches opened)',
  "probe requests per minute while idle (responder's count / operator's probes)",
  'status writes while idle',
  "applies while idle (operator's counter)",
];

const runName = (run: ScaleRun) => `${run.label ?? 'run'} ${run.commit ?? ''}`.trim();

/**
 * For each phase with a newest run other than the newest `before` run that measured it: the key figures of both,
 * side by side (the same machine, not the same moment: compare with the load shown in each run's line).
 */
function beforeAfter(runs: ScaleRun[], chosen: Map<string, { run: ScaleRun; results: PhaseResult[] }>): string[] {
  const lines: string[] = [];
  const cols: string[] = [];
  const cells: PhaseResult[][] = [];
  const bases = new Set<ScaleRun>();
  for (const [phase, now] of chosen) {
    const before = runs.filter((r) => r.label === 'before' && r.results.some((x) => phaseKey(x) === phase));
    const base = before.at(-1);
    if (!base || base === now.run) continue;
    bases.add(base);
    const baseResults = base.results.filter((x) => phaseKey(x) === phase);
    cols.push(`${PHASE_TITLES[phase] ?? phase}: ${runName(base)}`, `${runName(now.run)}`);
    cells.push([medianOf(baseResults), medianOf(now.results)]);
  }
  if (!cols.length) return lines;
  lines.push('Before and after (the newest `before` run and the newest run of each phase):', '');
  for (const b of bases)
    lines.push(
      `- ${runName(b)}: \`${b.command}\`, ${b.startedAt}; ${describeMachine(b.machine)}.${b.note ? ` Note: ${b.note}` : ''}`,
    );
  lines.push('');
  lines.push(`| | ${cols.join(' | ')} |`, `|${['', ...cols].map(() => '---').join('|')}|`);
  for (const row of ROWS.filter((r) => COMPARED.includes(r.label))) {
    lines.push(
      `| ${[row.label, ...cells.flatMap(([b, a]) => [row.value(b as PhaseResult), row.value(a as PhaseResult)])].join(' | ')} |`,
    );
  }
  return [...lines, ''];
}

/** One N: for each phase the results of the newest run that measured it, and the runs they came from. */
function section(runs: ScaleRun[]): string[] {
  const chosen = new Map<string, { run: ScaleRun; results: PhaseResult[] }>();
  for (const run of runs) {
    const byPhase = new Map<string, PhaseResult[]>();
    for (const r of run.results) {
      const k = phaseKey(r);
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
        `- \`${run.command}\` (${phases.filter((p) => chosen.get(p)?.run === run).join(', ')})${run.commit ? ` at ${run.commit}` : ''}: ${run.startedAt}; ${describeMachine(run.machine)}; idle window ${run.idleSeconds} s${run.repeat > 1 ? `, each phase ${run.repeat} times, medians shown` : ''}.${run.note ? ` Note: ${run.note}` : ''}`,
    ),
    `- Memory limit: ${first.results[0]?.limitHow.replace(/pbo-bench-[^,]*/, 'pbo-bench-<pid>-<phase>') ?? 'n/a'}.`,
    '',
    ...lines,
    '',
    ...beforeAfter(runs, chosen),
    ...(problems.length ? ['Problems seen:', '', ...problems, ''] : []),
  ];
}

export function renderScaleReport(runs: ScaleRun[], intro: string[]): string {
  const byN = new Map<number, ScaleRun[]>();
  for (const r of runs) byN.set(r.n, [...(byN.get(r.n) ?? []), r]);
  const sections = [...byN.keys()].sort((a, b) => a - b).flatMap((n) => section(byN.get(n) as ScaleRun[]));
  return [...intro, '', ...sections].join('\n');
}
