// Runs uvu test files, one node process per file, and keeps a tally per suite so that `make test` can end with one
// line `N passed, N failed` summed over every suite (uvu prints totals per process only).
//
//   node hack/run-tests.ts run <suite> [--parallel N] <glob>...   run the files, record .test-results/<suite>.json
//   node hack/run-tests.ts check <name> -- <command> [args]...    a command as one test (lint, typecheck, helm lint)
//   node hack/run-tests.ts summary                                print every suite and the total; exit 1 on failures
import { spawn } from 'node:child_process';
import { globSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RESULTS = '.test-results';

interface Tally {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

/** Parses uvu's closing block ("Total: N / Passed: N / Skipped: N"). Returns undefined when it is absent. */
export function parseUvuTotals(out: string): { total: number; passed: number; skipped: number } | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours
  const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
  const total = /Total:\s+(\d+)/.exec(plain);
  const passed = /Passed:\s+(\d+)/.exec(plain);
  const skipped = /Skipped:\s+(\d+)/.exec(plain);
  if (!total || !passed) return undefined;
  return { total: Number(total[1]), passed: Number(passed[1]), skipped: skipped ? Number(skipped[1]) : 0 };
}

function runProcess(cmd: string, args: string[], echo: boolean): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (echo) process.stdout.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => resolve({ code: 127, out: `${out}\n${String(err)}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

function save(t: Tally): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${t.suite}.json`), JSON.stringify(t, null, 2));
}

async function runSuite(suite: string, patterns: string[], parallel: number): Promise<Tally> {
  const files = [...new Set(patterns.flatMap((p) => globSync(p)))].filter((f) => !f.includes('node_modules')).sort();
  const tally: Tally = { suite, passed: 0, failed: 0, skipped: 0, failures: [] };
  const queue = [...files];
  const echo = parallel === 1;
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const started = Date.now();
      const { code, out } = await runProcess(process.execPath, [file], echo);
      const totals = parseUvuTotals(out);
      let failed = totals ? totals.total - totals.passed : 0;
      if (code !== 0 && failed === 0) failed = 1; // crashed before or after its tests: count the file as a failure
      tally.passed += totals?.passed ?? 0;
      tally.skipped += totals?.skipped ?? 0;
      tally.failed += failed;
      if (failed > 0) tally.failures.push(file);
      if (!echo && failed > 0) process.stdout.write(out);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`[${suite}] ${file}: ${totals?.passed ?? 0} passed, ${failed} failed (${secs}s)`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  if (files.length === 0) {
    tally.failed += 1;
    tally.failures.push(`no files match ${patterns.join(' ')}`);
  }
  save(tally);
  return tally;
}

async function check(name: string, cmd: string[]): Promise<Tally> {
  const [bin, ...args] = cmd;
  if (!bin) throw new Error('check: missing command after --');
  const { code } = await runProcess(bin, args, true);
  const tally: Tally = {
    suite: name,
    passed: code === 0 ? 1 : 0,
    failed: code === 0 ? 0 : 1,
    skipped: 0,
    failures: [],
  };
  if (code !== 0) tally.failures.push(`${cmd.join(' ')} exited ${code}`);
  save(tally);
  console.log(`[${name}] ${code === 0 ? 'ok' : `FAILED (exit ${code})`}`);
  return tally;
}

function summary(): number {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let files: string[] = [];
  try {
    files = readdirSync(RESULTS).filter((f) => f.endsWith('.json'));
  } catch {
    // no suite ran
  }
  console.log('\nSummary by suite:');
  for (const f of files.sort()) {
    const t = JSON.parse(readFileSync(join(RESULTS, f), 'utf8')) as Tally;
    passed += t.passed;
    failed += t.failed;
    skipped += t.skipped;
    console.log(
      `  ${t.suite.padEnd(24)} ${t.passed} passed, ${t.failed} failed${t.failures.length ? `  (${t.failures.join(', ')})` : ''}`,
    );
  }
  if (files.length === 0) {
    console.log('  no suite ran');
    failed += 1;
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'summary') return summary();
  if (verb === 'run') {
    const [suite, ...more] = rest;
    let parallel = 1;
    const patterns: string[] = [];
    for (let i = 0; i < more.length; i++) {
      if (more[i] === '--parallel') parallel = Number(more[++i]);
      else patterns.push(more[i] as string);
    }
    if (!suite || patterns.length === 0) throw new Error('usage: run <suite> [--parallel N] <glob>...');
    return (await runSuite(suite, patterns, parallel)).failed > 0 ? 1 : 0;
  }
  if (verb === 'check') {
    const [name, sep, ...cmd] = rest;
    if (!name || sep !== '--') throw new Error('usage: check <name> -- <command>...');
    return (await check(name, cmd)).failed > 0 ? 1 : 0;
  }
  throw new Error('usage: run-tests.ts run|check|summary ...');
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
