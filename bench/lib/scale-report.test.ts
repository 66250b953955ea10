import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PhaseResult } from './phase.ts';
import { medianOf, renderScaleReport, type ScaleRun } from './scale-report.ts';

const result = (subject: 'ours' | 'peer', over: Partial<PhaseResult>): PhaseResult => ({
  subject,
  pods: 'silent',
  n: 10,
  replicas: 3,
  limitHow: 'cgroup v1',
  idleSeconds: 60,
  loadAverage: 1,
  problems: [],
  ...over,
});

test('medianOf takes the median of each figure and keeps every problem', () => {
  const m = medianOf([
    result('ours', { childrenMs: 100, problems: ['a'] }),
    result('ours', { childrenMs: 300 }),
    result('ours', { childrenMs: 200, problems: ['b'] }),
  ]);
  assert.is(m.childrenMs, 200);
  assert.equal(m.problems, ['a', 'b']);
});

test('one section per N, each phase from the newest run that measured it; ours / peer ratios; problems', () => {
  const run = (n: number, childrenMs: number): ScaleRun => ({
    n,
    replicas: 3,
    command: `node bench/scale.bench.ts --n ${n}`,
    startedAt: '2026-01-01T00:00:00Z',
    machine: { cpus: 2, model: 'cpu', memoryGiB: 24, kernel: '6', node: 'v24', loadAverage: 1 },
    idleSeconds: 60,
    repeat: 1,
    results: [
      result('ours', { n, childrenMs, idleCpuSeconds: 6, problems: ['slow'] }),
      result('peer', { n, childrenMs: 1000, idleCpuSeconds: 3 }),
    ],
  });
  const peerOnly: ScaleRun = {
    ...run(100, 0),
    command: 'peer again',
    results: [result('peer', { n: 100, childrenMs: 4000 })],
  };
  const md = renderScaleReport([run(100, 9000), run(10, 2000), run(10, 3000), peerOnly], ['# title']);
  assert.ok(md.startsWith('# title'));
  assert.is(md.match(/## N = 10 /g)?.length, 1);
  assert.ok(md.indexOf('## N = 10 ') < md.indexOf('## N = 100 '));
  assert.match(md, /\| time to all children applied \(s\) \| 3\.0 \| 1\.0 \| 3\.00 \|/);
  assert.match(
    md,
    /\| CPU while idle \(s over the window, % of one core\) \| 6\.0 \(10\.0 %\) \| 3\.0 \(5\.0 %\) \| 2\.00 \|/,
  );
  assert.match(md, /- ours-silent: slow/);
  // N = 100: ours from the first run, the peer from the later peer-only one
  const n100 = md.slice(md.indexOf('## N = 100 '));
  assert.match(n100, /\| time to all children applied \(s\) \| 9\.0 \| 4\.0 \| 2\.25 \|/);
  assert.match(n100, /`node bench\/scale.bench.ts --n 100` \(ours-silent\)/);
  assert.match(n100, /`peer again` \(peer-silent\)/);
});

test('a run labelled before is set beside the newest run of each phase it measured', () => {
  const run = (label: string | undefined, commit: string, childrenMs: number, idleCpuSeconds: number): ScaleRun => ({
    n: 100,
    replicas: 3,
    command: `node bench/scale.bench.ts --n 100${label ? ` --label ${label}` : ''}`,
    startedAt: '2026-01-01T00:00:00Z',
    machine: { cpus: 2, model: 'cpu', memoryGiB: 24, kernel: '6', node: 'v24', loadAverage: 1 },
    idleSeconds: 60,
    repeat: 1,
    commit,
    ...(label ? { label } : {}),
    results: [result('ours', { n: 100, childrenMs, idleCpuSeconds })],
  });
  const md = renderScaleReport([run('before', 'aaa', 9000, 30), run(undefined, 'bbb', 4000, 3)], ['# t']);
  assert.match(md, /Before and after/);
  assert.match(md, /- before aaa: `node bench\/scale.bench.ts --n 100 --label before`/);
  assert.match(md, /\| \| ours, silent pods: before aaa \| run bbb \|/);
  assert.match(md, /\| time to all children applied \(s\) \| 9\.0 \| 4\.0 \|/);
  assert.match(md, /\| CPU while idle \(s over the window, % of one core\) \| 30\.0 \(50\.0 %\) \| 3\.0 \(5\.0 %\) \|/);
  // Only the before run: no table.
  assert.not.match(renderScaleReport([run('before', 'aaa', 9000, 30)], ['# t']), /Before and after/);
});

test('the polled phase has a column of its own; the status lag rows show the percentiles and the probe load', () => {
  const lag = (p50: number, windowMs: number) => ({
    removed: { count: 40, missed: 0, p50, p90: p50 + 10, p99: p50 + 20, max: p50 + 30 },
    up: { count: 39, missed: 1, p50: 2 * p50, p90: 0, p99: 0, max: 0 },
    windowMs,
    membersRequests: 120,
    streamEvents: 80,
    clockInversions: 0,
  });
  const answering = (over: Partial<PhaseResult>) =>
    result('ours', { pods: 'answering', idleMembersPerMin: 600, idleStreamEventsPerMin: 0, ...over });
  const md = renderScaleReport(
    [
      {
        n: 1000,
        replicas: 3,
        command: 'node bench/scale.bench.ts --n 1000',
        startedAt: '2026-01-01T00:00:00Z',
        machine: { cpus: 2, model: 'cpu', memoryGiB: 24, kernel: '6', node: 'v24', loadAverage: 1 },
        idleSeconds: 60,
        repeat: 1,
        results: [answering({ lag: lag(40, 15_000) }), answering({ polled: true, lag: lag(9000, 30_000) })],
      },
    ],
    ['# t'],
  );
  assert.match(md, /\| {2}\| ours, answering pods \| ours, answering pods, event streams off \|/);
  assert.match(md, /Removed → the status showing R - 1 members[^|]*\| 40 \/ 50 \/ 60 \/ 70 \(40 samples\) \| 9000 \//);
  assert.match(md, /Up again → the status showing R members[^|]*\| 80 \/ 0 \/ 0 \/ 0 \(39 samples, 1 missed\) \|/);
  assert.match(md, /\| 15\.0 s: 120 \/ 80 \(idle: 150 \/ 0\) \| 30\.0 s: 120 \/ 80 \(idle: 300 \/ 0\) \|/);
});

test.run();
