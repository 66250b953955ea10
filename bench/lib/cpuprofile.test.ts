import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type CpuProfile, summarizeCpuProfile } from './cpuprofile.ts';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
// root → main → reconcile(ours) → hash(ours); root → (garbage collector); root → (idle)
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
    { id: 2, callFrame: frame('main', 'file:///repo/dist/operator/main.js'), children: [3] },
    { id: 3, callFrame: frame('reconcile', 'file:///repo/dist/operator/controller/x.js'), children: [4] },
    { id: 4, callFrame: frame('hash', 'node:internal/crypto/hash') },
    { id: 5, callFrame: frame('(garbage collector)') },
    { id: 6, callFrame: frame('(idle)') },
  ],
  // one sample per second: t = 1..10 s
  samples: [3, 4, 4, 5, 6, 6, 6, 6, 4, 3],
  timeDeltas: Array.from({ length: 10 }, () => 1e6),
  startTime: 0,
  endTime: 10e6,
};

test('busy time, areas and functions over the whole profile, idle left out', () => {
  const s = summarizeCpuProfile(PROFILE, { lastSeconds: 10, repoRoot: '/repo' });
  assert.is(s.windowSeconds, 10);
  assert.is(s.busySeconds, 6);
  assert.equal(Object.fromEntries(s.byArea), {
    'node:internal/crypto': 0.5,
    'dist/operator/controller': 2 / 6,
    GC: 1 / 6,
  });
  assert.equal(s.self[0], ['hash node:internal/crypto/hash:1', 0.5]);
  const incl = Object.fromEntries(s.inclusive);
  assert.is(incl['reconcile dist/operator/controller/x.js:1'], 5 / 6);
  assert.is(incl['(root) :1'], 1);
});

test('only the window: the last seconds before the shutdown', () => {
  // the window (7, 10] s holds idle, hash, reconcile; with the last second skipped, (6, 9]: idle, idle, hash
  const s = summarizeCpuProfile(PROFILE, { lastSeconds: 3, repoRoot: '/repo' });
  assert.is(s.busySeconds, 2);
  assert.equal(s.self.map(([k]) => k).sort(), [
    'hash node:internal/crypto/hash:1',
    'reconcile dist/operator/controller/x.js:1',
  ]);
  const skipped = summarizeCpuProfile(PROFILE, { lastSeconds: 3, skipEndSeconds: 1, repoRoot: '/repo' });
  assert.is(skipped.busySeconds, 1);
  assert.equal(skipped.self, [['hash node:internal/crypto/hash:1', 1]]);
});

test.run();
