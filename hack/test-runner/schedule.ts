// Which files of a suite may run beside others. A file that disturbs the whole local cluster (restarts the API
// server or the kubelet) says so with a line `// test-runner: alone (why)`; with --parallel N those files run first,
// one at a time, with nothing else running, and the others share N lanes after them (docs/testing.md).
import { readFileSync } from 'node:fs';

const MARK = /^\/\/ test-runner: alone\b/m;

export interface Schedule {
  /** in order, each with nothing else running */
  alone: string[];
  /** the rest, N at a time */
  shared: string[];
}

export function isAlone(text: string): boolean {
  return MARK.test(text);
}

export function schedule(files: readonly string[], read: (file: string) => string = (f) => readFileSync(f, 'utf8')) {
  const s: Schedule = { alone: [], shared: [] };
  for (const f of files) (isAlone(read(f)) ? s.alone : s.shared).push(f);
  return s;
}
