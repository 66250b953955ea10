import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCondition, metaTime, setCondition } from './conditions.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
const T1 = T0 + 60_000;

test('a new condition gets the current time, in whole seconds', () => {
  const list = setCondition(
    undefined,
    { type: 'ResourcesReady', status: 'True', reason: 'Applied', message: 'ok' },
    3,
    T0,
  );
  assert.equal(list, [
    {
      type: 'ResourcesReady',
      status: 'True',
      reason: 'Applied',
      message: 'ok',
      observedGeneration: 3,
      lastTransitionTime: '2026-01-01T12:00:00Z',
    },
  ]);
});

test('same status, new reason or message: lastTransitionTime stays', () => {
  const a = setCondition(undefined, { type: 'X', status: 'False', reason: 'A', message: 'a' }, 1, T0);
  const b = setCondition(a, { type: 'X', status: 'False', reason: 'B', message: 'b' }, 2, T1);
  assert.is(String(findCondition(b, 'X')?.lastTransitionTime), metaTime(T0));
  assert.is(findCondition(b, 'X')?.reason, 'B');
  assert.is(findCondition(b, 'X')?.observedGeneration, 2);
});

test('a status change moves lastTransitionTime; other conditions keep their place and the input is untouched', () => {
  let list = setCondition(undefined, { type: 'A', status: 'True', reason: 'r', message: '' }, 1, T0);
  list = setCondition(list, { type: 'B', status: 'False', reason: 'r', message: '' }, 1, T0);
  const before = structuredClone(list);
  const after = setCondition(list, { type: 'A', status: 'False', reason: 'r', message: '' }, 1, T1);
  assert.equal(list, before);
  assert.equal(
    after.map((c) => c.type),
    ['A', 'B'],
  );
  assert.is(String(findCondition(after, 'A')?.lastTransitionTime), metaTime(T1));
  assert.is(String(findCondition(after, 'B')?.lastTransitionTime), metaTime(T0));
});

test.run();
