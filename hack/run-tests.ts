// Runs uvu test files, one node process (and process group) per file, and keeps a tally per suite so that
// `make test` can end with one line `N passed, N failed` summed over every suite (uvu prints totals per process only).
// What counts as a failure, and the timeouts: docs/testing.md.
//
//   node hack/run-tests.ts run <suite> [--parallel N] [--output all|failed] [--timeout S] [--linger S] <glob>...
//       run the files, record .test-results/<suite>.json; a file is stopped after --timeout seconds (default 60),
//       or --linger seconds (default 10) after its tests finished if it does not exit by itself. With N > 1 lanes a
//       file's output is printed when it ends (every file's with --output all), and files marked
//       `// test-runner: alone` run first, one at a time (test-runner/schedule.ts)
//   node hack/run-tests.ts check <name> [--timeout S] -- <command> [args]...
//       a command as one test (lint, typecheck); default timeout 600 s
//   node hack/run-tests.ts summary [--expect suite,suite...]
//       every suite's tally and the total; an expected suite without a tally never started; exit 1 on failures
import { globSync } from 'node:fs';
import { runInGroup, stopAllGroups } from './test-runner/process-group.ts';
import { saveTally, summarize, type Tally } from './test-runner/results.ts';
import { schedule } from './test-runner/schedule.ts';
import { endsWithUvuTotals } from './test-runner/uvu.ts';
import { verdict } from './test-runner/verdict.ts';

interface RunOptions {
  parallel: number;
  /** with parallel lanes, whose output is printed once a file ends: every file's, or only a failed one's */
  output: 'all' | 'failed';
  timeoutMs: number;
  lingerMs: number;
}

const secs = (ms: number) => (ms / 1000).toFixed(1);

async function runSuite(suite: string, patterns: string[], o: RunOptions): Promise<Tally> {
  const files = [...new Set(patterns.flatMap((p) => globSync(p)))].filter((f) => !f.includes('node_modules')).sort();
  const tally: Tally = { suite, passed: 0, failed: 0, skipped: 0, failures: [] };
  const echo = o.parallel === 1;
  const runFile = async (file: string) => {
    const r = await runInGroup(process.execPath, [file], {
      timeoutMs: o.timeoutMs,
      lingerMs: o.lingerMs,
      finished: endsWithUvuTotals,
      echo,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const v = verdict(r);
    tally.passed += v.passed;
    tally.skipped += v.skipped;
    tally.failed += v.failed;
    if (v.failed > 0) tally.failures.push(v.problem ? `${file}: ${v.problem}` : file);
    if (!echo && (v.failed > 0 || o.output === 'all')) process.stdout.write(r.output);
    const line = `[${suite}] ${file}: ${v.passed} passed, ${v.failed} failed (${secs(r.ms)}s)`;
    console.log(v.problem ? `${line} FAILED: ${v.problem}` : line);
  };
  // Files marked to run alone first, one at a time; then the others in o.parallel lanes (test-runner/schedule.ts).
  const { alone, shared } = schedule(files);
  for (const file of alone) await runFile(file);
  const queue = [...shared];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) await runFile(file);
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  if (files.length === 0) {
    tally.failed += 1;
    tally.failures.push(`no files match ${patterns.join(' ')}`);
    console.log(`[${suite}] FAILED: no files match ${patterns.join(' ')}`);
  }
  saveTally(tally);
  return tally;
}

async function check(name: string, cmd: string[], timeoutMs: number): Promise<Tally> {
  const [bin, ...args] = cmd;
  if (!bin) throw new Error('check: missing command after --');
  const r = await runInGroup(bin, args, { timeoutMs, lingerMs: 1000, echo: true, env: process.env });
  const ok = r.code === 0 && !r.stopped;
  const why = r.stopped ?? (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);
  const tally: Tally = { suite: name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, failures: [] };
  if (!ok) tally.failures.push(`${cmd.join(' ')}: ${why}`);
  saveTally(tally);
  console.log(`[${name}] ${ok ? 'ok' : `FAILED (${why})`}`);
  return tally;
}

/** Reads `--name value` options off argv; the rest are positional. */
function options(argv: string[], names: string[]): { opts: Map<string, string>; rest: string[] } {
  const opts = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (names.includes(a)) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      opts.set(a, v);
    } else rest.push(a);
  }
  return { opts, rest };
}

function seconds(opts: Map<string, string>, name: string, dflt: number): number {
  const v = opts.get(name);
  if (v === undefined) return dflt * 1000;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a number of seconds, got "${v}"`);
  return n * 1000;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'summary') {
    const { opts } = options(rest, ['--expect']);
    const expected = (opts.get('--expect') ?? '').split(',').filter(Boolean);
    const { lines, failed } = summarize(expected);
    for (const l of lines) console.log(l);
    return failed ? 1 : 0;
  }
  if (verb === 'run') {
    const { opts, rest: positional } = options(rest, ['--parallel', '--timeout', '--linger', '--output']);
    const [suite, ...patterns] = positional;
    if (!suite || patterns.length === 0) throw new Error('usage: run <suite> [--parallel N] [--timeout S] <glob>...');
    const parallel = Number(opts.get('--parallel') ?? 1);
    if (!Number.isInteger(parallel) || parallel < 1) throw new Error('--parallel: expected a whole number >= 1');
    const output = opts.get('--output') ?? 'failed';
    if (output !== 'all' && output !== 'failed') throw new Error('--output: expected all or failed');
    const o: RunOptions = {
      parallel,
      output,
      timeoutMs: seconds(opts, '--timeout', 60),
      lingerMs: seconds(opts, '--linger', 10),
    };
    return (await runSuite(suite, patterns, o)).failed > 0 ? 1 : 0;
  }
  if (verb === 'check') {
    const sep = rest.indexOf('--');
    const { opts, rest: positional } = options(sep < 0 ? rest : rest.slice(0, sep), ['--timeout']);
    const [name] = positional;
    if (!name || sep < 0) throw new Error('usage: check <name> [--timeout S] -- <command>...');
    return (await check(name, rest.slice(sep + 1), seconds(opts, '--timeout', 600))).failed > 0 ? 1 : 0;
  }
  throw new Error('usage: run-tests.ts run|check|summary ...');
}

if (import.meta.main) {
  // Interrupted (Ctrl-C, CI cancel): the files run in their own process groups, so stop them too.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopAllGroups();
      process.exit(130);
    });
  }
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
