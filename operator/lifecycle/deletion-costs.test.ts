import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { KubeApiError } from '../errors.ts';
import type { PodPatcher } from '../kube/pod-patcher.ts';
import type { PodView } from '../status/compute.ts';
import { POD_DELETION_COST } from './deletion-cost.ts';
import { DeletionCosts, FAILURES_BEFORE_EVENT, RETRY_BASE_MS } from './deletion-costs.ts';

const node = (i: number) => `pekko://shop@10.0.0.${i}:17355`;
const pod = (i: number, rv = '10', annotations: Record<string, string> = {}): V1Pod => ({
  metadata: { name: `p${i}`, uid: `u${i}`, resourceVersion: rv, annotations },
  status: { podIP: `10.0.0.${i}` },
});
const views: PodView[] = [1, 2, 3].map((i) => ({
  contactPoint: { pod: `p${i}`, host: `10.0.0.${i}`, port: 7626, ready: true },
  answer: {
    selfNode: node(i),
    seedNodes: [node(1)],
    members: { list: [1, 2, 3].map((m) => ({ node: node(m), status: 'Up' })), unreachable: [], oldest: node(1) },
  },
}));

/** Records patches; fails them with `failWith` while it is set. */
class Patcher implements PodPatcher {
  calls: string[] = [];
  failWith: Error | undefined;
  async patchPodAnnotations(_ns: string, name: string, a: Record<string, string | null>): Promise<string> {
    this.calls.push(`${name} ${a[POD_DELETION_COST]}`);
    if (this.failWith) throw this.failWith;
    return '11';
  }
}

function setup() {
  const clock = new FakeClock();
  const patcher = new Patcher();
  const costs = new DeletionCosts({ patcher, clock });
  const keep = (pods: V1Pod[], enabled = true) =>
    costs.keep('ns/shop', 'ns', { views, pods, memberContainer: 'app', enabled });
  return { clock, patcher, keep };
}

test('patches once; while the cache still holds the pods as they were, the next passes patch nothing', async () => {
  const { patcher, keep } = setup();
  const pods = [pod(1), pod(2), pod(3)];
  const first = await keep(pods);
  assert.equal(patcher.calls, ['p1 10000', 'p2 9900', 'p3 9800']);
  assert.is(first.condition.status, 'True');
  assert.is(first.condition.reason, 'Annotated');
  assert.match(first.condition.message, 'p1 10000 (oldest), p2 9900, p3 9800');
  await keep(pods);
  await keep(pods);
  assert.is(patcher.calls.length, 3, 'the cache lags: what was written counts');
  // The cache catches up with the patched pods: still nothing to do.
  const caught = [1, 2, 3].map((i) =>
    pod(i, '11', {
      [POD_DELETION_COST]: String(10100 - 100 * i),
      'bootstrap.pekko-operator.dev/pod-deletion-cost': String(10100 - 100 * i),
    }),
  );
  await keep(caught);
  assert.is(patcher.calls.length, 3);
  // Someone removed the annotation by hand (a newer resourceVersion): it is put back.
  await keep([pod(1, '12'), caught[1] as V1Pod, caught[2] as V1Pod]);
  assert.equal(patcher.calls.slice(3), ['p1 10000']);
});

test('403: the condition says Forbidden, the reconcile goes on, retries back off, a Warning after repeated failures', async () => {
  const { clock, patcher, keep } = setup();
  patcher.failWith = new KubeApiError('patch annotations of Pod ns/p1: 403 forbidden', 403);
  const pods = [pod(1), pod(2), pod(3)];
  const out = await keep(pods);
  assert.is(out.condition.status, 'False');
  assert.is(out.condition.reason, 'Forbidden');
  assert.match(out.condition.message, 'grant the operator patch on pods');
  assert.is(out.retryAfterMs, RETRY_BASE_MS);
  assert.equal(out.events, []);
  // Within the backoff: no call at all, the condition stays.
  const held = await keep(pods);
  assert.is(patcher.calls.length, 1);
  assert.is(held.condition.reason, 'Forbidden');
  let last = held;
  for (let i = 1; i < FAILURES_BEFORE_EVENT; i++) {
    await clock.advance(RETRY_BASE_MS * 2 ** (i - 1));
    last = await keep(pods);
  }
  assert.is(patcher.calls.length, FAILURES_BEFORE_EVENT);
  assert.equal(
    last.events.map((e) => [e.type, e.reason]),
    [['Warning', 'DeletionCostFailed']],
  );
  // Granted again: the next attempt goes through and the condition recovers.
  patcher.failWith = undefined;
  await clock.advance(60_000);
  const ok = await keep(pods);
  assert.is(ok.condition.reason, 'Annotated');
  assert.is(ok.retryAfterMs, undefined);
});

test('another failure is PatchFailed; a pod gone meanwhile (404) is no failure', async () => {
  const { patcher, keep } = setup();
  patcher.failWith = new KubeApiError('boom: 500', 500);
  assert.is((await keep([pod(1), pod(2), pod(3)])).condition.reason, 'PatchFailed');
  const s = setup();
  s.patcher.failWith = new KubeApiError('gone: 404', 404);
  assert.is((await s.keep([pod(1), pod(2), pod(3)])).condition.reason, 'Annotated');
});

test('turned off: condition Disabled', async () => {
  const { keep, patcher } = setup();
  const out = await keep([pod(1), pod(2), pod(3)], false);
  assert.is(out.condition.reason, 'Disabled');
  assert.equal(patcher.calls, []);
});

test.run();
