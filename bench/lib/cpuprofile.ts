// Reads a V8 CPU profile (`node --cpu-prof`) over a time window: busy time, self time by area (a package, a Node
// module, a folder of ours, GC) and by function, and inclusive time by function. Pure: the profile in, tables out.

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
  /** microseconds, on the profile's own clock */
  startTime: number;
  endTime: number;
}

export interface CpuSummary {
  /**
   * Seconds the window covers, and of them the share of samples in which the main thread was not idle (JavaScript,
   * GC, V8), as seconds. Wall-clock time: on a loaded machine it includes time the thread waited for a core.
   */
  windowSeconds: number;
  busySeconds: number;
  /** [label, share of busy samples 0..1], largest first */
  byArea: [string, number][];
  self: [string, number][];
  inclusive: [string, number][];
}

/** `repoRoot`-relative paths and `nm/<package>` for node_modules, so that labels stay short. */
export function shortUrl(url: string, repoRoot: string): string {
  return url.replace(`file://${repoRoot}/`, '').replace(/^.*node_modules\//, 'nm/');
}

function areaOf(url: string, fn: string, repoRoot: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return '(V8 and native code outside JavaScript)';
  if (!url) return `(native) ${fn}`;
  const s = shortUrl(url, repoRoot);
  if (s.startsWith('nm/'))
    return s
      .split('/')
      .slice(0, s.startsWith('nm/@') ? 3 : 2)
      .join('/');
  if (s.startsWith('node:')) return s.split('/').slice(0, 2).join('/');
  return s.split('/').slice(0, 3).join('/');
}

/** The window is the last `lastSeconds` before `endTime - skipEndSeconds` (the shutdown), start excluded. */
export function summarizeCpuProfile(
  p: CpuProfile,
  o: { lastSeconds: number; skipEndSeconds?: number; repoRoot: string; top?: number },
): CpuSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hi = p.endTime - (o.skipEndSeconds ?? 0) * 1e6;
  const lo = hi - o.lastSeconds * 1e6;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const area = new Map<string, number>();
  const label = (n: CpuProfile['nodes'][number]) =>
    `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url, o.repoRoot)}:${n.callFrame.lineNumber + 1}`;
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let busy = 0;
  let inWindow = 0;
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t <= lo || t > hi) continue;
    inWindow++;
    const n = byId.get(p.samples[i] as number);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    busy++;
    bump(self, label(n));
    bump(area, areaOf(n.callFrame.url, n.callFrame.functionName, o.repoRoot));
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id) as CpuProfile['nodes'][number]);
      if (!seen.has(k)) bump(inclusive, k);
      seen.add(k);
    }
  }
  const share = (m: Map<string, number>): [string, number][] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, o.top ?? 30)
      .map(([k, c]) => [k, busy ? c / busy : 0]);
  return {
    windowSeconds: (hi - lo) / 1e6,
    busySeconds: inWindow ? ((hi - lo) / 1e6) * (busy / inWindow) : 0,
    byArea: share(area),
    self: share(self),
    inclusive: share(inclusive),
  };
}
