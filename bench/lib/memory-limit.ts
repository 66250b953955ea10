// The chart's default memory limit (charts/pekko-bootstrap-operator/values.yaml, resources.limits.memory), enforced
// on a benchmarked process the way the kubelet does: a child group of the cgroup v1 memory controller
// (/sys/fs/cgroup/memory) with memory.limit_in_bytes set, the process put in before it execs, the group removed
// after. Where that is not possible (no v1 memory controller, not root), the equivalent V8 heap settings instead:
// Node inside a 256 MiB cgroup sizes its heap as `--max-old-space-size=256 --max-semi-space-size=1` does (heap limit
// 259 MiB, measured with v8.getHeapStatistics() on Node 24), and the report says which of the two applied.
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const V1_ROOT = '/sys/fs/cgroup/memory';
const UNITS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** A Kubernetes memory quantity (256Mi, 1G, 268435456) in bytes. */
export function parseQuantity(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(q).trim());
  if (!m) throw new Error(`not a memory quantity: "${q}" (expected e.g. 256Mi)`);
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? ''] as number));
}

/** resources.limits.memory of the chart's values.yaml, in bytes. */
export function chartMemoryLimit(valuesYaml: string): number {
  const v = parse(valuesYaml) as { resources?: { limits?: { memory?: string } } };
  const q = v?.resources?.limits?.memory;
  if (q === undefined) throw new Error('values.yaml: resources.limits.memory is not set');
  return parseQuantity(q);
}

export interface LimitUsage {
  /** the group's peak charge (memory.max_usage_in_bytes): RSS plus page cache charged to it */
  peakChargedBytes: number;
  /** times the limit was hit (memory.failcnt) */
  failcnt: number;
  /** processes the kernel OOM-killed in the group */
  oomKills: number;
}

export interface MemoryLimit {
  readonly bytes: number;
  /** how the limit is enforced, for the report */
  readonly how: string;
  /** the command line that starts `command args` under the limit (extra Node flags in the fallback) */
  wrap(command: string, args: string[], node: boolean): { command: string; args: string[] };
  /** the cgroup's figures; undefined in the fallback */
  usage(): LimitUsage | undefined;
  /** removes the group (after the process exited) */
  remove(): void;
}

function v1Group(name: string, bytes: number): MemoryLimit | string {
  const dir = join(V1_ROOT, name);
  try {
    readFileSync(join(V1_ROOT, 'memory.limit_in_bytes'));
    mkdirSync(dir);
  } catch (err) {
    return `no cgroup v1 memory controller to use at ${V1_ROOT} (${(err as NodeJS.ErrnoException).code ?? err})`;
  }
  try {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes));
  } catch (err) {
    rmdirSync(dir);
    return `cannot set ${dir}/memory.limit_in_bytes (${(err as NodeJS.ErrnoException).code ?? err})`;
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    bytes,
    how: `cgroup v1 memory controller, ${dir}, memory.limit_in_bytes=${bytes}`,
    wrap: (command, args) => ({
      command: '/bin/sh',
      // The shell joins the group, then execs the process (same pid): it runs under the limit from its first byte.
      args: ['-c', `echo $$ > ${join(dir, 'cgroup.procs')} && exec "$0" "$@"`, command, ...args],
    }),
    usage: () => ({
      peakChargedBytes: Number(read('memory.max_usage_in_bytes')),
      failcnt: Number(read('memory.failcnt')),
      oomKills: Number(/^oom_kill (\d+)/m.exec(read('memory.oom_control'))?.[1] ?? 0),
    }),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // a process still in it (it is stopped first) or gone already
      }
    },
  };
}

/**
 * Removes the empty groups (`pbo-bench-*`) that earlier runs left behind when they were killed before they could
 * clean up (a group with a process in it stays). Returns how many were removed.
 */
export function removeStaleGroups(): number {
  let removed = 0;
  try {
    for (const name of readdirSync(V1_ROOT)) {
      if (!name.startsWith('pbo-bench-')) continue;
      try {
        rmdirSync(join(V1_ROOT, name));
        removed++;
      } catch {
        // in use, or not ours to remove
      }
    }
  } catch {
    // no v1 memory controller
  }
  return removed;
}

/** The limit for one benchmarked process; `name` names its cgroup (unique per process). */
export function memoryLimit(name: string, bytes: number): MemoryLimit {
  const group = v1Group(name, bytes);
  if (typeof group !== 'string') return group;
  const mib = Math.floor(bytes / 1024 ** 2);
  const flags = [`--max-old-space-size=${mib}`, '--max-semi-space-size=1'];
  return {
    bytes,
    how: `${group}; instead V8 heap settings ${flags.join(' ')} (what Node picks inside a ${mib} MiB cgroup)`,
    wrap: (command, args, node) => ({ command, args: node ? [...flags, ...args] : args }),
    usage: () => undefined,
    remove: () => undefined,
  };
}
