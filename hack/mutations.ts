// `make test-mutations`: applies each one-line mutation of hack/mutations.yaml to a throwaway copy of the tree, runs
// the unit tests there, and reports which mutations survive (no test failed). The checkout is never written: the
// copy lives in a temporary folder (node_modules linked), removed at the end, and a crash leaves at most that folder.
// docs/testing.md says how to read the report.
//
//   node hack/mutations.ts [--list FILE] [--only id,id] [--parallel N] [--timeout S] [--report FILE] <test glob>...
//
// Exit 0 when every mutation is caught; 1 when one survives or an entry is broken (its `from` is not found).
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  globSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { runInGroup, stopAllGroups } from './test-runner/process-group.ts';
import { endsWithUvuTotals } from './test-runner/uvu.ts';
import { verdict } from './test-runner/verdict.ts';

const ROOT = resolve(import.meta.dirname, '..');

export interface Mutation {
  id: string;
  why: string;
  file: string;
  from: string;
  to: string;
  /** which occurrence of `from` (1-based) when it occurs more than once */
  occurrence?: number;
}

export type Outcome = { kind: 'caught'; by: string } | { kind: 'survived' } | { kind: 'error'; message: string };

/** Reads and checks the list: every entry has id, file, from (non-empty) and to. */
export function readList(text: string): Mutation[] {
  const list = parse(text) as unknown;
  if (!Array.isArray(list)) throw new Error('the mutation list must be a YAML list');
  return list.map((m: Partial<Mutation>, i) => {
    for (const k of ['id', 'why', 'file', 'from', 'to'] as const) {
      if (typeof m?.[k] !== 'string') throw new Error(`entry ${i + 1} (${m?.id ?? 'no id'}): ${k} must be a string`);
    }
    if (m.from === '') throw new Error(`entry ${m.id}: from is empty`);
    return m as Mutation;
  });
}

/** The file's text with the mutation applied, or the reason it cannot be applied. */
export function applyMutation(text: string, m: Mutation): { text: string } | { error: string } {
  const at: number[] = [];
  for (let i = text.indexOf(m.from); i >= 0; i = text.indexOf(m.from, i + 1)) at.push(i);
  if (at.length === 0) return { error: `target not found in ${m.file} (renamed or rewritten? update the entry)` };
  if (at.length > 1 && m.occurrence === undefined)
    return { error: `target found ${at.length} times in ${m.file}: make it unique or set occurrence` };
  const pos = at[(m.occurrence ?? 1) - 1];
  if (pos === undefined) return { error: `occurrence ${m.occurrence} of ${at.length} in ${m.file}` };
  return { text: text.slice(0, pos) + m.to + text.slice(pos + m.from.length) };
}

/** A copy of the checkout's files (tracked and untracked, not ignored, as they are now) with node_modules linked. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pbo-mutations-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      copyFileSync(join(ROOT, f), join(dir, f));
    } catch {
      // deleted in the working tree but still in the index
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Test files nearest the mutated file first, so that a mutation is usually caught by the first files run. */
function byNearness(tests: string[], file: string): string[] {
  const shared = (t: string) => {
    const a = dirname(t).split('/');
    const b = dirname(file).split('/');
    let n = 0;
    while (n < a.length && a[n] === b[n]) n++;
    return n;
  };
  return [...tests].sort((x, y) => shared(y) - shared(x) || x.localeCompare(y));
}

/** Runs the tests in `dir`; the first failing file stops the others. The failing file with why, or undefined. */
async function firstFailure(dir: string, tests: string[], parallel: number, timeoutMs: number) {
  const queue = [...tests];
  const abort = new AbortController();
  let failure: string | undefined;
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined && !failure; file = queue.shift()) {
      const r = await runInGroup(process.execPath, [file], {
        cwd: dir,
        timeoutMs,
        lingerMs: 5000,
        finished: endsWithUvuTotals,
        env: { ...process.env, FORCE_COLOR: '0' },
        signal: abort.signal,
      });
      if (abort.signal.aborted) return;
      const v = verdict(r);
      if (v.failed > 0) {
        failure = `${file} (${v.problem ?? `${v.failed} failed`})`;
        abort.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return failure;
}

/** The report in Markdown: what `--report hack/mutations.md` writes. */
function report(list: Mutation[], outcomes: Map<string, Outcome>, commit: string): string {
  const count = (k: Outcome['kind']) => [...outcomes.values()].filter((o) => o.kind === k).length;
  const lines = [
    '# Mutation report',
    '',
    "Written by `make test-mutations MUTATION_FLAGS='--report hack/mutations.md'` (docs/testing.md); do not edit.",
    `Commit ${commit}, ${new Date().toISOString().slice(0, 10)}: ${list.length} mutations, ` +
      `${count('caught')} caught, ${count('survived')} survived, ${count('error')} errors.`,
    '',
    '| mutation | file | result | what breaks |',
    '|---|---|---|---|',
  ];
  for (const m of list) {
    const o = outcomes.get(m.id);
    const result =
      o?.kind === 'caught' ? `caught by ${o.by}` : o?.kind === 'error' ? `ERROR: ${o.message}` : '**survived**';
    lines.push(`| ${m.id} | ${m.file} | ${result} | ${m.why} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  let listFile = join(ROOT, 'hack', 'mutations.yaml');
  let only: string[] | undefined;
  let parallel = 2;
  let timeoutMs = 60_000;
  let reportFile: string | undefined;
  const patterns: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => argv[++i] ?? '';
    if (a === '--list') listFile = value();
    else if (a === '--only') only = value().split(',');
    else if (a === '--parallel') parallel = Number(value());
    else if (a === '--timeout') timeoutMs = Number(value()) * 1000;
    else if (a === '--report') reportFile = value();
    else patterns.push(a);
  }
  if (patterns.length === 0) throw new Error('usage: mutations.ts [options] <test glob>...');
  const list = readList(readFileSync(listFile, 'utf8')).filter((m) => !only || only.includes(m.id));
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  const dir = copyTree();
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    stopAllGroups();
    cleanup();
    process.exit(130);
  });
  try {
    const tests = [...new Set(patterns.flatMap((p) => globSync(p, { cwd: dir })))].sort();
    console.log(`[mutations] ${list.length} mutations, ${tests.length} test files, copy in ${dir}`);
    const baseline = await firstFailure(dir, tests, parallel, timeoutMs);
    if (baseline) throw new Error(`the unit tests fail without any mutation: ${baseline}`);
    const outcomes = new Map<string, Outcome>();
    for (const m of list) {
      const path = join(dir, m.file);
      let original: string;
      try {
        original = readFileSync(path, 'utf8');
      } catch {
        outcomes.set(m.id, { kind: 'error', message: `no file ${m.file}` });
        console.log(`[mutations] ${m.id}: ERROR no file ${m.file}`);
        continue;
      }
      const mutated = applyMutation(original, m);
      if ('error' in mutated) {
        outcomes.set(m.id, { kind: 'error', message: mutated.error });
        console.log(`[mutations] ${m.id}: ERROR ${mutated.error}`);
        continue;
      }
      const t0 = Date.now();
      writeFileSync(path, mutated.text);
      let by: string | undefined;
      try {
        by = await firstFailure(dir, byNearness(tests, m.file), parallel, timeoutMs);
      } finally {
        writeFileSync(path, original);
      }
      outcomes.set(m.id, by ? { kind: 'caught', by } : { kind: 'survived' });
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(`[mutations] ${m.id}: ${by ? `caught by ${by}` : 'SURVIVED'} (${secs}s)`);
    }
    const text = report(list, outcomes, commit);
    console.log(`\n${text}`);
    if (reportFile) writeFileSync(resolve(reportFile), text);
    return [...outcomes.values()].every((o) => o.kind === 'caught') ? 0 : 1;
  } finally {
    cleanup();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`[mutations] ${err instanceof Error ? err.message : err}`);
      process.exit(2);
    },
  );
}
