// What Linux says about a process: CPU time and memory from /proc/<pid>/stat and /proc/<pid>/status, and the
// machine's CPU use from /proc/stat (to show how busy the other processes kept the machine during a measurement).
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc's utime and stime (USER_HZ; 100 on every Linux this runs on). */
const USER_HZ = 100;

/** User + system CPU seconds the process has used (all its threads), or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the state field.
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

export interface Memory {
  /** resident set size now (VmRSS) */
  rssBytes: number;
  /** peak resident set size since the process started (VmHWM) */
  peakRssBytes: number;
}

/** The process's resident memory now and at its peak, or undefined when it is gone. */
export function memory(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024 };
  } catch {
    return undefined;
  }
}

/** The whole machine's busy and total CPU seconds since boot (all cores), from /proc/stat's first line. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...ticks] = line.trim().split(/\s+/);
  const n = ticks.map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0); // idle + iowait
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / USER_HZ, total: total / USER_HZ };
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
