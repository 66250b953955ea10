import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WATCHED, watchedKind } from './kinds.ts';

test('each row is keyed by its kind (the caches are looked up by a child kind)', () => {
  for (const [key, kind] of Object.entries(WATCHED)) assert.is(key, kind.kind);
  assert.is(watchedKind('Deployment'), WATCHED.Deployment);
  assert.throws(() => watchedKind('ConfigMap'), /ConfigMap is not in the table of watched kinds/);
});

test('the ServiceAccount comes before the Deployment: children are applied in the order of the table', () => {
  const kinds = Object.keys(WATCHED);
  assert.ok(kinds.indexOf('ServiceAccount') < kinds.indexOf('Deployment'));
});

test.run();
