// The mutation script's pure parts: reading the list and applying one entry. (Whether today's list still matches the
// code is for `make test-mutations` to say: a rename elsewhere must not fail the unit tests.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyMutation, type Mutation, readList } from './mutations.ts';

const m = (from: string, to: string, occurrence?: number): Mutation => ({
  id: 'x',
  why: 'y',
  file: 'f.ts',
  from,
  to,
  ...(occurrence ? { occurrence } : {}),
});

test('a unique target is replaced once', () => {
  assert.equal(applyMutation('a < b;\nc;\n', m('a < b', 'a >= b')), { text: 'a >= b;\nc;\n' });
});

test('a missing target is an error that names the file', () => {
  const r = applyMutation('a < b;\n', m('a <= b', 'a > b'));
  assert.ok('error' in r && r.error.startsWith('target not found in f.ts'), JSON.stringify(r));
});

test('a target found twice needs an occurrence', () => {
  const text = 'return;\nx();\nreturn;\n';
  const r = applyMutation(text, m('return;', ''));
  assert.ok('error' in r && r.error.includes('found 2 times'), JSON.stringify(r));
  assert.equal(applyMutation(text, m('return;', 'y();', 2)), { text: 'return;\nx();\ny();\n' });
  assert.ok('error' in applyMutation(text, m('return;', '', 3)));
});

test('the list: every entry has id, why, file, from and to; hack/mutations.yaml reads', () => {
  assert.throws(() => readList('- id: a\n  file: f.ts\n  from: x\n  to: y\n'), /entry 1 \(a\): why must be a string/);
  assert.throws(() => readList('id: a'), /must be a YAML list/);
  const list = readList(readFileSync(join(import.meta.dirname, 'mutations.yaml'), 'utf8'));
  assert.ok(list.length >= 20, `${list.length} entries`);
  assert.is(new Set(list.map((e) => e.id)).size, list.length, 'ids are unique');
});

test.run();
