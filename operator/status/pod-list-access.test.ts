import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import type { AccessAnswer } from '../kube/access-review.ts';
import { PodListAccess } from './pod-list-access.ts';

/** A scripted authorizer: `allowed` per account, every call recorded; `fail` makes reviews reject. */
function setup(opts: { concurrency?: number } = {}) {
  const clock = new FakeClock();
  const allowed = new Map<string, boolean>();
  const calls: string[] = [];
  const enqueued: string[] = [];
  let fail: string | undefined;
  let hold: (() => void)[] | undefined;
  const review = async (ns: string, sa: string): Promise<AccessAnswer> => {
    calls.push(`${ns}/${sa}`);
    if (hold) await new Promise<void>((resolve) => hold?.push(resolve));
    if (fail) throw new Error(fail);
    return { allowed: allowed.get(sa) ?? false };
  };
  const access = new PodListAccess({ review, clock, enqueue: (k) => enqueued.push(k), ...opts });
  return {
    clock,
    allowed,
    calls,
    enqueued,
    access,
    failWith: (m: string | undefined) => {
      fail = m;
    },
    holdAll: () => {
      hold = [];
      return () => {
        for (const r of hold ?? []) r();
        hold = undefined;
      };
    },
  };
}

test('unknown until the review answers; the answer enqueues the resource; denied names the account', async () => {
  const s = setup();
  assert.equal(s.access.verdict('shop/a', 'shop', ['a'], 'v1'), { kind: 'unknown' });
  await flush();
  assert.equal(s.calls, ['shop/a']);
  assert.equal(s.enqueued, ['shop/a']);
  assert.equal(s.access.verdict('shop/a', 'shop', ['a'], 'v1'), { kind: 'denied', account: 'a' });
  s.allowed.set('b', true);
  s.access.verdict('shop/b', 'shop', ['b'], 'v1');
  await flush();
  assert.equal(s.access.verdict('shop/b', 'shop', ['b'], 'v1'), { kind: 'allowed' });
  assert.equal(s.access.verdict('shop/ab', 'shop', ['b', 'a'], 'v1'), { kind: 'denied', account: 'a' });
});

test('answers are kept: denied for 30 s, allowed for 5 min; nothing is asked in between', async () => {
  const s = setup();
  s.allowed.set('ok', true);
  s.access.verdict('k1', 'shop', ['no'], 'v1');
  s.access.verdict('k2', 'shop', ['ok'], 'v1');
  await flush();
  for (let i = 0; i < 29; i++) {
    await s.clock.advance(1000);
    s.access.verdict('k1', 'shop', ['no'], 'v1');
    s.access.verdict('k2', 'shop', ['ok'], 'v1');
  }
  assert.is(s.calls.length, 2, 'no review within 29 s');
  await s.clock.advance(1000);
  s.access.verdict('k1', 'shop', ['no'], 'v1');
  s.access.verdict('k2', 'shop', ['ok'], 'v1');
  await flush();
  assert.equal(s.calls.slice(2), ['shop/no'], 'the denied answer is asked again after 30 s, the allowed one not');
  await s.clock.advance(270_000);
  s.access.verdict('k2', 'shop', ['ok'], 'v1');
  await flush();
  assert.equal(s.calls.at(-1), 'shop/ok', 'the allowed answer after 5 min');
});

test('a change of pod-reader or read-pods asks again, but at most every 10 s per account', async () => {
  const s = setup();
  s.access.verdict('k', 'shop', ['a'], 'v1');
  await flush();
  s.access.verdict('k', 'shop', ['a'], 'v2');
  await flush();
  assert.is(s.calls.length, 1, 'within 10 s of the last review: not yet');
  await s.clock.advance(10_000);
  s.allowed.set('a', true);
  s.access.verdict('k', 'shop', ['a'], 'v3');
  await flush();
  assert.is(s.calls.length, 2);
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v3'), { kind: 'allowed' });
  assert.equal(s.enqueued, ['k', 'k'], 'each changed answer enqueues the resource');
});

test('a review that fails is unknown with its error, and is tried again after 30 s', async () => {
  const s = setup();
  s.failWith('403 localsubjectaccessreviews is forbidden');
  s.access.verdict('k', 'shop', ['a'], 'v1');
  await flush();
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v1'), {
    kind: 'unknown',
    error: '403 localsubjectaccessreviews is forbidden',
  });
  s.failWith(undefined);
  await s.clock.advance(30_000);
  s.access.verdict('k', 'shop', ['a'], 'v1');
  await flush();
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v1'), { kind: 'denied', account: 'a' });
});

test('at most `concurrency` reviews in flight; one account is reviewed once for many resources', async () => {
  const s = setup({ concurrency: 2 });
  const release = s.holdAll();
  for (let i = 0; i < 5; i++) s.access.verdict(`k${i}`, 'shop', [`sa${i}`, 'shared'], 'v1');
  await flush();
  assert.is(s.calls.length, 2, 'two in flight');
  release();
  await flush();
  assert.is(s.calls.length, 6, 'five accounts and the shared one, each once');
  assert.is(s.calls.filter((c) => c === 'shop/shared').length, 1);
  s.access.forget('k0');
  s.access.forget('k1');
  assert.equal(s.access.verdict('k2', 'shop', ['shared'], 'v1'), { kind: 'denied', account: 'shared' });
});

test.run();
