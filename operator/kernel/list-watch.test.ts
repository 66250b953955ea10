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

test('each watch asks for bookmarks and a server-side timeout of 4 to 5 minutes', async () => {
  const queries: Record<string, unknown>[] = [];
  const inner: WatchLike = {
    async watch(_path, query) {
      queries.push(query);
      return new AbortController();
    },
  };
  for (const r of [0, 0.999])
    await guardWatch(inner, undefined, () => r).watch(
      '/p',
      { resourceVersion: '5' },
      () => {},
      () => {},
    );
  assert.equal(queries[0], { resourceVersion: '5', allowWatchBookmarks: true, timeoutSeconds: 240 });
  assert.is(queries[1]?.timeoutSeconds, 299);
});

test('a watch the server ends after a minute or more ends as a timeout (resumed at once); a short one as it was', async () => {
  let t = 0;
  const ends: unknown[] = [];
  let finish: (err: unknown) => void = () => {};
  const inner: WatchLike = {
    async watch(_path, _query, _callback, done) {
      finish = done;
      return new AbortController();
    },
  };
  const w = guardWatch(
    inner,
    undefined,
    () => 0,
    () => t,
  );
  await w.watch(
    '/p',
    {},
    () => {},
    (err) => ends.push(err),
  );
  t = 250_000;
  finish(null);
  await w.watch(
    '/p',
    {},
    () => {},
    (err) => ends.push(err),
  );
  t += 5_000;
  finish(null);
  const failure = new Error('boom');
  await w.watch(
    '/p',
    {},
    () => {},
    (err) => ends.push(err),
  );
  t += 90_000;
  finish(failure);
  assert.is((ends[0] as Error).name, 'TimeoutError');
  assert.is(ends[1], null);
  assert.is(ends[2], failure);
});

test.run();
