// Each suite's tally is a file, .test-results/<suite>.json, written when the suite ends. The summary reads them all
// and ends with one line, `N passed, N failed`, summed over every suite. A suite the caller expected but that wrote
// no tally never started (a step before it failed, e.g. the cluster did not come up): it is named, and counts as
// one failure, so the total never reads "0 failed" for a run that did not run.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_DIR = '.test-results';

export interface Tally {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Files (or commands) that failed, each with why when the run itself went wrong. */
  failures: string[];
}

export function saveTally(t: Tally, dir = RESULTS_DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${t.suite}.json`), JSON.stringify(t, null, 2));
}

function readTallies(dir: string): Tally[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    // no suite ran
  }
  return files.sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Tally);
}

/** The summary's lines (the last one is `N passed, N failed[, N skipped]`) and whether anything failed. */
export function summarize(expected: readonly string[], dir = RESULTS_DIR): { lines: string[]; failed: boolean } {
  const tallies = readTallies(dir);
  const lines = ['', 'Summary by suite:'];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const t of tallies) {
    passed += t.passed;
    failed += t.failed;
    skipped += t.skipped;
    const why = t.failures.length ? `  (${t.failures.join(', ')})` : '';
    lines.push(`  ${t.suite.padEnd(24)} ${t.passed} passed, ${t.failed} failed${why}`);
  }
  const missing = expected.filter((s) => !tallies.some((t) => t.suite === s));
  for (const s of missing) lines.push(`  ${s.padEnd(24)} NEVER STARTED (a step before it failed; see above)`);
  failed += missing.length;
  if (tallies.length === 0 && missing.length === 0) {
    lines.push('  no suite ran');
    failed += 1;
  }
  if (missing.length) lines.push(`suites that never started: ${missing.join(', ')} (each counts as 1 failed)`);
  lines.push(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { lines, failed: failed > 0 };
}
