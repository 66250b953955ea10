// The watch guard hands ListWatch each event's object through the cache transform; other events pass untouched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cacheTransform } from './cache-transform.ts';
import { guardWatch, type WatchLike } from './list-watch.ts';

test('object events pass the transform before ListWatch sees them; BOOKMARK and ERROR do not', async () => {
  const sent = [
    ['ADDED', { metadata: { name: 'a', resourceVersion: '1', managedFields: [{}] } }],
    ['MODIFIED', { metadata: { name: 'a', resourceVersion: '2', managedFields: [{}] } }],
    ['BOOKMARK', { metadata: { resourceVersion: '3', managedFields: [{}] } }],
    ['DELETED', { metadata: { name: 'a', resourceVersion: '4', managedFields: [{}] } }],
  ] as const;
  const inner: WatchLike = {
    async watch(_path, _query, callback) {
      for (const [phase, obj] of sent) callback(phase, structuredClone(obj));
      return new AbortController();
    },
  };
  const seen: [string, unknown][] = [];
  await guardWatch(inner, cacheTransform() as (o: unknown) => unknown).watch(
    '/api/v1/pods',
    {},
    (phase, obj) => seen.push([phase, obj]),
    () => {},
  );
  assert.equal(
    seen.map(([phase, obj]) => [phase, 'managedFields' in ((obj as { metadata: object }).metadata ?? {})]),
    [
      ['ADDED', false],
      ['MODIFIED', false],
      ['BOOKMARK', true],
      ['DELETED', false],
    ],
  );
});

test.run();
