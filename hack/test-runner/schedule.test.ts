import { globSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isAlone, schedule } from './schedule.ts';

test('the mark is a line comment of its own, anywhere in the file', () => {
  assert.ok(isAlone("import x from 'y';\n// test-runner: alone (restarts the API server)\n"));
  assert.ok(isAlone('// test-runner: alone\n'));
  assert.not.ok(isAlone("const s = '// test-runner: alone';\n"));
  assert.not.ok(isAlone('// test-runner: alonely\n'));
  assert.not.ok(isAlone('// a file that mentions running alone\n'));
});

test('marked files go first, in the given order; the others share the lanes', () => {
  const text: Record<string, string> = { a: '', b: '// test-runner: alone (x)', c: '', d: '// test-runner: alone' };
  assert.equal(
    schedule(['a', 'b', 'c', 'd'], (f) => text[f] ?? ''),
    { alone: ['b', 'd'], shared: ['a', 'c'] },
  );
});

// A lost mark is silent until a lane runs beside an API server outage: every suite that stops the shared API server
// (local-cluster/restart-apiserver.ts) must carry it.
test('every e2e suite that stops the shared API server is marked alone', () => {
  const root = resolve(import.meta.dirname, '..', '..');
  const suites = globSync('test-e2e/suites/*.e2e.ts', { cwd: root });
  const stopping = suites.filter((f) => readFileSync(join(root, f), 'utf8').includes('restart-apiserver.ts'));
  assert.ok(stopping.length >= 2, `suites that stop the API server: ${stopping.join(', ')}`);
  const unmarked = stopping.filter((f) => !isAlone(readFileSync(join(root, f), 'utf8')));
  assert.equal(unmarked, [], 'add a line `// test-runner: alone (why)` to these');
});

test.run();
