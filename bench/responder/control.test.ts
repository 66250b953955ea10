import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseChange } from './control.ts';

test("a leave/join answer: the responder's emit time and the streams it wrote to", () => {
  assert.equal(parseChange('leave', { at: 1_760_000_000_123, streams: 1 }), { at: 1_760_000_000_123, streams: 1 });
  assert.equal(parseChange('join', { at: 5, streams: 0 }), { at: 5, streams: 0 });
});

test('a bad answer is an error naming the operation and the field', () => {
  assert.throws(() => parseChange('leave', { error: 'no pod 127.48.0.9:7626' }), /responder: leave: no pod 127\.48/);
  assert.throws(() => parseChange('leave', undefined), /leave: expected an object, got undefined/);
  assert.throws(() => parseChange('join', { streams: 1 }), /join: "at" must be a wall-clock time in ms, got undefined/);
  assert.throws(() => parseChange('join', { at: '12', streams: 1 }), /"at" must be/);
  assert.throws(() => parseChange('join', { at: 12, streams: -1 }), /join: "streams" must be a count, got -1/);
  assert.throws(() => parseChange('join', { at: 12, streams: 1.5 }), /"streams" must be a count/);
});

test.run();
