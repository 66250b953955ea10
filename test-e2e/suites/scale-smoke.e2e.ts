// A short run of the scale benchmark (bench/scale.bench.ts) on the local cluster, so that its instruments keep
// working: 10 resources × 3 status-only pods answered by the responder like healthy Pekko nodes, the compiled
// operator under the chart's memory limit, watching only the run's namespaces (other suites' resources are left
// alone), a 5 s idle window, then 3 status lag samples (a member leaves and comes back). Every figure must be there
// and plausible; the operator's goals (e.g. the lag's 200 ms) are not asserted here (bench/results/scale.md holds the
// figures).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ScaleRun } from '../../bench/lib/scale-report.ts';
import { REPO_ROOT } from '../lib/index.ts';

function runBench(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bench', 'scale.bench.ts'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

test('N = 10 with answering pods: children, Formed statuses, memory, idle CPU, API requests, probes, status lag measured', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scale-smoke-'));
  try {
    const json = join(dir, 'scale.json');
    const { code, out } = await runBench([
      '--n',
      '10',
      '--phases',
      'ours-answering',
      '--idle-seconds',
      '5',
      '--settle-seconds',
      '0',
      '--lag-samples',
      '3',
      '--timeout-seconds',
      '120',
      '--scope',
      'namespaces',
      '--no-write',
      '--json',
      json,
    ]);
    assert.is(code, 0, `scale bench exited ${code}:\n${out}`);
    const [run] = JSON.parse(readFileSync(json, 'utf8')) as ScaleRun[];
    const r = run?.results[0];
    assert.ok(r, `no result:\n${out}`);
    assert.equal(r.problems, [], `problems:\n${out}`);
    assert.ok(r.childrenMs !== undefined && r.childrenMs > 0, 'time to all children');
    assert.ok(r.statusMs !== undefined && r.statusMs >= 0, 'time to all statuses Formed with the pods seed');
    assert.ok(Number.isFinite(r.childrenP99Ms) && Number.isFinite(r.statusP99Ms), 'per-resource latencies');
    assert.ok(r.podsReadyMs !== undefined && r.podsReadyMs > 0, 'all 30 pods Ready');
    for (const k of ['rssBeforeBytes', 'peakRssBytes', 'settledRssBytes', 'heapUsedBytes'] as const) {
      assert.ok((r[k] ?? 0) > 10 * 2 ** 20, `${k}: ${r[k]}`);
    }
    assert.ok((r.peakRssBytes ?? 0) >= (r.rssBeforeBytes ?? Number.POSITIVE_INFINITY), 'peak ≥ RSS before');
    assert.match(r.limitHow, /cgroup v1 memory controller|V8 heap settings/);
    assert.ok(r.idleSeconds >= 5, `idle window ${r.idleSeconds}`);
    assert.ok(r.idleCpuSeconds !== undefined && r.idleCpuSeconds >= 0, 'idle CPU');
    assert.ok(r.idleApiPerMin !== undefined && r.idleApiPerMin >= 0, 'API requests per minute');
    // The operator probes the answering pods, and the responder counts what it answered.
    assert.ok((r.idleProbesAnsweredPerMin ?? 0) > 0, `responder answered ${r.idleProbesAnsweredPerMin}/min`);
    assert.ok((r.idleProbesCountedPerMin ?? 0) > 0, `operator counted ${r.idleProbesCountedPerMin}/min`);
    assert.ok(r.idleStatusWrites !== undefined, 'status writes while idle');
    // Status lag: three members left and came back; each change reached the status through the watch, after the
    // responder wrote it (one clock), and went out as a member event on the resource's open stream.
    const lag = r.lag;
    assert.ok(lag, `no status lag:\n${out}`);
    for (const [what, s] of [
      ['removed', lag.removed],
      ['up', lag.up],
    ] as const) {
      assert.is(s.count, 3, `${what}: samples seen`);
      assert.is(s.missed, 0, `${what}: missed`);
      assert.ok(s.p50 >= 0 && s.max >= s.p50 && Number.isFinite(s.max), `${what}: ${JSON.stringify(s)}`);
    }
    assert.is(lag.clockInversions, 0, 'a watch event before the change it shows');
    assert.ok(lag.streamEvents > 0, 'member events written to the open streams');
    assert.ok(lag.membersRequests > 0, 'the operator asked the pods again');
    // Restarted on the same resources: every one reconciled, and nothing differed, so nothing applied.
    assert.ok(r.syncMs !== undefined && r.syncMs > 0, `initial sync after a restart: ${r.syncMs}`);
    assert.is(r.syncApplies, 0, 'applies during the initial sync');
    assert.is(r.syncStatusWrites, 0, 'status writes during the initial sync (a formed cluster stays Formed)');
    assert.ok(r.syncApiRequests !== undefined && r.syncApiRequests > 0, 'API requests of the initial sync (its lists)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
