// The test runner itself, driven as `make` drives it (node hack/run-tests.ts ...) on small test files in
// hack/testdata/run-tests/: a file that hangs, one that runs zero tests, one that exits early, one that leaves a
// timer or a child process behind after passing, one that prints "Total: 99". Each nested run works in its own
// temporary folder, so its .test-results/ never touches the real one. The runs start at once, in parallel; the
// tests then read their results.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tally } from './test-runner/results.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'hack', 'testdata', 'run-tests');
const fixture = (name: string) => join(FIXTURES, `${name}.fixture.ts`);

interface Run {
  code: number;
  out: string;
  ms: number;
  dir: string;
  tally: () => Tally;
  /** The runner's line for one fixture file. */
  line: (name: string) => string;
}

function runner(args: string[], dir = mkdtempSync(join(tmpdir(), 'run-tests-'))): Promise<Run> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'hack', 'run-tests.ts'), ...args],
      { cwd: dir, env: { ...process.env, PID_DIR: dir }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        done({
          code: err ? Number((err as { code?: unknown }).code ?? 1) : 0,
          out,
          ms: Date.now() - started,
          dir,
          tally: () => JSON.parse(readFileSync(join(dir, '.test-results', 'fx.json'), 'utf8')) as Tally,
          line: (name) => out.split('\n').find((l) => l.startsWith('[fx]') && l.includes(`/${name}.fixture.ts:`)) ?? '',
        });
      },
    );
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').match(/\) [ZX] /);
  } catch {
    return false;
  }
};

// A short timeout for the file that hangs; a generous one for the others, which a busy machine may start slowly.
const HUNG_TIMEOUT_S = 2;
const hung = runner(['run', 'fx', '--timeout', String(HUNG_TIMEOUT_S), fixture('hung')]);
const others = [
  'pass',
  'fail',
  'zero',
  'no-run',
  'exit-early',
  'exit-in-test',
  'timer-left',
  'child-left',
  'total-99',
  'before-throws',
].map(fixture);
const many = runner(['run', 'fx', '--parallel', String(others.length), '--timeout', '30', '--linger', '1', ...others]);

// Listed lanes first: the runner still runs the file marked alone before them, with nothing beside it.
const scheduled = runner([
  'run',
  'fx',
  '--parallel',
  '2',
  '--timeout',
  '30',
  ...['lane-a', 'lane-b', 'alone'].map(fixture),
]);

test('a file marked alone runs first with nothing beside it; the others share the lanes', async () => {
  const r = await scheduled;
  assert.is(r.code, 0, r.out);
  const spans = new Map(
    readFileSync(join(r.dir, 'spans'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([name, a, b]) => [name as string, [Number(a), Number(b)] as const]),
  );
  const [alone, a, b] = ['alone', 'lane-a', 'lane-b'].map((n) => spans.get(n)) as [
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
  ];
  assert.ok(alone[1] <= a[0] && alone[1] <= b[0], `alone ${alone} ended before lane-a ${a} and lane-b ${b} began`);
  assert.ok(a[0] < b[1] && b[0] < a[1], `lane-a ${a} and lane-b ${b} overlap`);
});

test('a hung file is stopped at its timeout, with its children, and counts as failed', async () => {
  const r = await hung;
  assert.is(r.code, 1, r.out);
  assert.match(r.line('hung'), `0 passed, 1 failed`);
  assert.match(r.line('hung'), `FAILED: timed out after ${HUNG_TIMEOUT_S}s; its process group was killed`);
  assert.ok(r.ms < (HUNG_TIMEOUT_S + 8) * 1000, `the run ended ${r.ms} ms after it started`);
  const [pid, child] = readFileSync(join(r.dir, 'hung'), 'utf8').split(' ').map(Number) as [number, number];
  assert.not.ok(alive(pid), `the file's process ${pid} is gone`);
  assert.not.ok(alive(child), `its child ${child} is gone`);
  assert.equal(r.tally().failures, [`${fixture('hung')}: timed out after 2s; its process group was killed`]);
});

test('passing and failing tests are counted from uvu totals (controls)', async () => {
  const r = await many;
  assert.match(r.line('pass'), /: 2 passed, 0 failed \(\d+\.\d+s\)$/);
  assert.match(r.line('fail'), /: 1 passed, 1 failed \(\d+\.\d+s\)$/);
});

test('a file that runs zero tests counts as failed', async () => {
  const r = await many;
  assert.match(r.line('zero'), '0 passed, 1 failed');
  assert.match(r.line('zero'), 'FAILED: ran no tests');
  assert.match(r.line('no-run'), 'FAILED: exited with code 0 but uvu printed no totals');
});

test('an early process.exit counts as failed, before or during the tests', async () => {
  const r = await many;
  assert.match(r.line('exit-early'), '0 passed, 1 failed');
  assert.match(r.line('exit-early'), 'FAILED: exited with code 0 but uvu printed no totals');
  assert.match(r.line('exit-in-test'), 'FAILED: exited with code 1 before uvu printed its totals');
});

test('a test.before hook that throws counts as failed, with the reason uvu does not print', async () => {
  const r = await many;
  assert.match(r.line('before-throws'), '0 passed, 3 failed');
  assert.match(r.line('before-throws'), 'FAILED: uvu exited 0 with 2 test(s) not passed: a test.before hook threw');
});

test('a passing file that leaves a timer running is stopped after the linger time and counts as failed', async () => {
  const r = await many;
  assert.match(r.line('timer-left'), '1 passed, 1 failed');
  assert.match(r.line('timer-left'), 'FAILED: did not exit within 1s after its tests finished');
});

test('a passing file that leaves a child process is failed and the child killed', async () => {
  const r = await many;
  assert.match(r.line('child-left'), '1 passed, 1 failed');
  assert.match(r.line('child-left'), 'FAILED: exited but left processes running in its process group');
  const child = Number(readFileSync(join(r.dir, 'child-left'), 'utf8'));
  assert.not.ok(alive(child), `the child ${child} is gone`);
});

test('"Total: 99" printed by a test does not confuse the totals', async () => {
  const r = await many;
  assert.match(r.line('total-99'), /: 1 passed, 1 failed \(\d+\.\d+s\)$/);
});

test('the suite tally sums every file, and the run exits 1', async () => {
  const r = await many;
  assert.is(r.code, 1);
  const t = r.tally();
  // passed: pass 2, fail 1, timer-left 1, child-left 1, total-99 1; failed: one per file but pass, and the two
  // tests before-throws never ran
  assert.is(t.passed, 6);
  assert.is(t.failed, others.length - 1 + 2);
  assert.is(t.failures.length, others.length - 1);
});

const summaryDir = mkdtempSync(join(tmpdir(), 'run-tests-'));
const summary = runner(['run', 'unit', fixture('pass')], summaryDir).then(async (pass) => ({
  pass,
  missing: await runner(['summary', '--expect', 'unit,e2e'], summaryDir),
  complete: await runner(['summary', '--expect', 'unit'], summaryDir),
}));

test('summary: an expected suite without results is named as never started and counts as failed', async () => {
  const { pass, missing, complete } = await summary;
  assert.is(pass.code, 0, pass.out);
  assert.is(missing.code, 1, missing.out);
  const lines = missing.out.trim().split('\n');
  assert.ok(
    lines.some((l) => /^\s+e2e\s+NEVER STARTED/.test(l)),
    missing.out,
  );
  assert.is(lines.at(-1), '2 passed, 1 failed');
  assert.is(complete.code, 0, complete.out);
  assert.is(complete.out.trim().split('\n').at(-1), '2 passed, 0 failed');
});

function lint(name: string): Promise<{ code: number; out: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'run-tests-')), `${name}.test.ts`);
  copyFileSync(fixture(name), file);
  return new Promise((done) =>
    execFile(
      join(ROOT, 'node_modules', '.bin', 'biome'),
      ['lint', `--config-path=${join(ROOT, 'biome.json')}`, file],
      (err, stdout, stderr) => done({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
    ),
  );
}
const lints = Promise.all([lint('focused'), lint('pass')]);

test('a focused test (test.only) fails the lint (biome noFocusedTests)', async () => {
  const [focused, plain] = await lints;
  assert.is(focused.code, 1, focused.out);
  assert.match(focused.out, 'lint/suspicious/noFocusedTests');
  assert.is(plain.code, 0, plain.out);
});

const checkDir = mkdtempSync(join(tmpdir(), 'run-tests-'));
writeFileSync(join(checkDir, 'hang.mjs'), 'setInterval(() => {}, 1000);\n');
const checked = runner(['check', 'fx', '--timeout', '1', '--', process.execPath, join(checkDir, 'hang.mjs')], checkDir);

test('check: a command that hangs is stopped at its timeout', async () => {
  const r = await checked;
  assert.is(r.code, 1, r.out);
  assert.match(r.out, '[fx] FAILED (timed out after 1s; its process group was killed)');
});

test.run();
