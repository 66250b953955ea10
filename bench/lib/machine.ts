// The machine a benchmark ran on, for its results page: CPU, memory, kernel, Node and Go, and how loaded it was.
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { loadAverage } from './proc.ts';

export interface Machine {
  cpus: number;
  model: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  go?: string;
  loadAverage: number;
}

export function machine(): Machine {
  let go: string | undefined;
  try {
    go = execFileSync('go', ['version'], { encoding: 'utf8' })
      .trim()
      .replace(/^go version /, '');
  } catch {
    // no Go on the machine: only the peer needs it
  }
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    ...(go ? { go } : {}),
    loadAverage: loadAverage(),
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpus} CPUs (${m.model}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}${m.go ? `, ${m.go}` : ''}; load average ${m.loadAverage.toFixed(1)} at the start`;
}
