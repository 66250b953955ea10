import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PodAddress } from '../responder/answers.ts';
import { clusterAnswers } from '../responder/answers.ts';
import { lagPlan, lagSummary, memberToRemove, overWindow } from './lag.ts';

test('the plan takes distinct resources spread over all of them, one every spacingMs', () => {
  const keys = Array.from({ length: 100 }, (_, i) => `ns-${Math.floor(i / 10)}/cb-${String(i).padStart(3, '0')}`);
  const plan = lagPlan([...keys].reverse(), 4, 250);
  assert.equal(
    plan.map((p) => p.key),
    ['ns-0/cb-000', 'ns-2/cb-025', 'ns-5/cb-050', 'ns-7/cb-075'],
  );
  assert.equal(
    plan.map((p) => p.atMs),
    [0, 250, 500, 750],
  );
  assert.is(new Set(lagPlan(keys, 40, 250).map((p) => p.key)).size, 40, 'distinct');
});

test('more samples than resources: one per resource; none asked, none planned', () => {
  const plan = lagPlan(['a/x', 'a/y', 'a/z'], 10, 100);
  assert.equal(
    plan.map((p) => p.key),
    ['a/x', 'a/y', 'a/z'],
  );
  assert.equal(lagPlan(['a/x'], 0, 100), []);
  assert.equal(lagPlan([], 5, 100), []);
});

test('the member taken away is never the oldest (the stream pod), and the same one each time', () => {
  const pod = (ip: string): PodAddress => ({ ip, port: 7626, cluster: 'ns/a', system: 'a', remotingPort: 17355 });
  const pods = ['127.48.0.10', '127.48.0.9', '127.48.0.11'].map(pod);
  const oldest = clusterAnswers(pods)?.oldest;
  assert.is(oldest, 'pekko://a@127.48.0.9:17355');
  assert.is(memberToRemove(pods, oldest)?.ip, '127.48.0.11');
  assert.is(memberToRemove([...pods].reverse(), oldest)?.ip, '127.48.0.11');
  // The oldest is the highest by address: still not taken.
  assert.is(memberToRemove(pods, 'pekko://a@127.48.0.11:17355')?.ip, '127.48.0.10');
  assert.is(memberToRemove([pod('127.48.0.9')], oldest), undefined, 'a cluster of one has none to spare');
});

test('lag summary: nearest-rank percentiles of what was seen, timeouts counted apart', () => {
  const lags = [...Array.from({ length: 99 }, (_, i) => i + 1), 500, undefined, undefined];
  const s = lagSummary(lags);
  assert.equal(s, { count: 100, missed: 2, p50: 50, p90: 90, p99: 99, max: 500 });
  const none = lagSummary([undefined]);
  assert.is(none.count, 0);
  assert.is(none.missed, 1);
  assert.ok(Number.isNaN(none.p99) && Number.isNaN(none.max));
});

test('a per-minute rate over a window', () => {
  assert.is(overWindow(120, 15_000), 30);
  assert.is(overWindow(undefined, 15_000), undefined);
});

test.run();
