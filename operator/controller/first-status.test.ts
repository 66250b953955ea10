import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConditionReason, ConditionType } from '../../core/api/types.ts';
import { FIRST_STATUS_WAIT_MS, firstStatusWaitMs } from './first-status.ts';

const progressing = {
  type: ConditionType.ResourcesReady,
  status: 'False' as const,
  reason: ConditionReason.Progressing,
  message: 'm',
};
const applied = { ...progressing, status: 'True' as const, reason: ConditionReason.Applied };
const created = new Date('2026-11-29T10:00:00Z');
const at = (ms: number) => created.getTime() + ms;

test('a new resource waiting only for read-pods holds its first status until FIRST_STATUS_WAIT_MS after creation', () => {
  const base = { hasStatus: false, resourcesReady: progressing, createdAt: created };
  assert.is(firstStatusWaitMs({ ...base, nowMs: at(300) }), FIRST_STATUS_WAIT_MS - 300);
  assert.is(firstStatusWaitMs({ ...base, createdAt: created.toISOString(), nowMs: at(1500) }), 500);
  assert.is(firstStatusWaitMs({ ...base, nowMs: at(FIRST_STATUS_WAIT_MS) }), 0, 'past the wait: written');
  assert.is(firstStatusWaitMs({ ...base, nowMs: at(-5000) }), FIRST_STATUS_WAIT_MS, 'a clock behind: at most the wait');
});

test('written at once: a status already there, any other reason, no or a broken creation time', () => {
  const base = { hasStatus: false, resourcesReady: progressing, createdAt: created, nowMs: at(100) };
  assert.is(firstStatusWaitMs({ ...base, hasStatus: true }), 0);
  assert.is(firstStatusWaitMs({ ...base, resourcesReady: applied }), 0);
  assert.is(firstStatusWaitMs({ ...base, resourcesReady: { ...progressing, reason: ConditionReason.Conflict } }), 0);
  assert.is(firstStatusWaitMs({ ...base, createdAt: undefined }), 0);
  assert.is(firstStatusWaitMs({ ...base, createdAt: 'not a date' }), 0);
});

test.run();
