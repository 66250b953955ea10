// What one test file's run counts for. Besides its failed tests, a file counts one failure when the run itself went
// wrong: stopped by the runner (timeout, no exit after its tests, processes left in its group), no uvu totals (a
// crash, an early process.exit, a missing test.run()), no tests at all, tests not passed with exit code 0 (uvu 0.5
// does that when a test.before hook throws: it runs none of the tests and prints no error), or a non-zero exit
// although every test passed. Such a file never counts as passing, whatever it printed.
import type { GroupRunResult } from './process-group.ts';
import { parseUvuTotals } from './uvu.ts';

export interface FileVerdict {
  passed: number;
  failed: number;
  skipped: number;
  /** Why the file failed beyond its failed tests, in words for the runner's line. */
  problem?: string;
}

const exitText = (r: Pick<GroupRunResult, 'code' | 'signal'>) =>
  r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;

export function verdict(r: Pick<GroupRunResult, 'code' | 'signal' | 'stdout' | 'stopped'>): FileVerdict {
  const totals = parseUvuTotals(r.stdout);
  const testFailures = totals ? totals.total - totals.passed : 0;
  let problem: string | undefined;
  if (r.stopped) problem = r.stopped;
  else if (!totals)
    problem =
      r.code === 0
        ? 'exited with code 0 but uvu printed no totals (an early process.exit, or no test.run())'
        : `${exitText(r)} before uvu printed its totals`;
  else if (totals.total === 0) problem = 'ran no tests';
  else if (testFailures > 0 && r.code === 0)
    problem = `uvu exited 0 with ${testFailures} test(s) not passed: a test.before hook threw (uvu drops its error)`;
  else if ((r.code !== 0 || r.signal) && testFailures === 0) problem = `${exitText(r)} although its tests passed`;
  return {
    passed: totals?.passed ?? 0,
    failed: testFailures + (problem ? 1 : 0),
    skipped: totals?.skipped ?? 0,
    ...(problem ? { problem } : {}),
  };
}
