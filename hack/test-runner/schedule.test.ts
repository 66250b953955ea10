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

test.run();
