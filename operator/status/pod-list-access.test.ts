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
  const signals: (AbortSignal | undefined)[] = [];
  const review = async (ns: string, sa: string, signal?: AbortSignal): Promise<AccessAnswer> => {
    calls.push(`${ns}/${sa}`);
    signals.push(signal);
    if (hold) await new Promise<void>((resolve) => hold?.push(resolve));
    if (fail) throw new Error(fail);
    return { allowed: allowed.get(sa) ?? false };
  };
  const access = new PodListAccess({ review, clock, enqueue: (k) => enqueued.push(k), ...opts });
  return {
    clock,
    allowed,
    calls,
    signals,
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

/** Asks, lets the review answer, and asks again 3 s later (the settle time): a denial is then confirmed. */
async function settled(s: ReturnType<typeof setup>, key: string, accounts: string[], version = 'v1') {
  s.access.verdict(key, 'shop', accounts, version);
  await flush();
  await s.clock.advance(3000);
  s.access.verdict(key, 'shop', accounts, version);
  await flush();
  return s.access.verdict(key, 'shop', accounts, version);
}

test('a denial counts once a review 3 s after the RBAC objects were first seen confirms it; it names the account', async () => {
  const s = setup();
  assert.equal(s.access.verdict('shop/a', 'shop', ['a'], 'v1'), { kind: 'unknown' });
  await flush();
  assert.equal(s.calls, ['shop/a']);
  assert.equal(s.access.verdict('shop/a', 'shop', ['a'], 'v1'), { kind: 'unknown' }, 'not confirmed yet');
  assert.equal(s.enqueued, ['shop/a'], 'an answer came: look again');
  await s.clock.advance(3000);
  assert.equal(s.enqueued, ['shop/a', 'shop/a'], 'when it may be confirmed: look again, even unasked');
  s.access.verdict('shop/a', 'shop', ['a'], 'v1');
  await flush();
  assert.equal(s.calls, ['shop/a', 'shop/a'], 'confirmed by a second review');
  assert.equal(s.enqueued.length, 3, 'the confirmed denial asks for another look');
  assert.equal(s.access.verdict('shop/a', 'shop', ['a'], 'v1'), { kind: 'denied', account: 'a' });
  s.allowed.set('b', true);
  s.access.verdict('shop/b', 'shop', ['b'], 'v1');
  await flush();
  assert.equal(s.access.verdict('shop/b', 'shop', ['b'], 'v1'), { kind: 'allowed' }, 'an allowance counts at once');
  assert.equal(s.access.verdict('shop/ab', 'shop', ['b', 'a'], 'v1'), { kind: 'denied', account: 'a' });
});

test('answers are kept: denied for 30 s, allowed for 5 min; nothing is asked in between', async () => {
  const s = setup();
  s.allowed.set('ok', true);
  await settled(s, 'k1', ['no']);
  await settled(s, 'k2', ['ok']);
  const n = s.calls.length;
  for (let i = 0; i < 26; i++) {
    await s.clock.advance(1000);
    s.access.verdict('k1', 'shop', ['no'], 'v1');
    s.access.verdict('k2', 'shop', ['ok'], 'v1');
  }
  assert.is(s.calls.length, n, 'no review within the 30 s of the denial');
  await s.clock.advance(1000);
  s.access.verdict('k1', 'shop', ['no'], 'v1');
  s.access.verdict('k2', 'shop', ['ok'], 'v1');
  await flush();
  assert.equal(s.calls.slice(n), ['shop/no'], 'the denied answer is asked again after 30 s, the allowed one not');
  assert.equal(s.access.verdict('k1', 'shop', ['no'], 'v1'), { kind: 'denied', account: 'no' });
  await s.clock.advance(270_000);
  s.access.verdict('k2', 'shop', ['ok'], 'v1');
  await flush();
  assert.equal(s.calls.at(-1), 'shop/ok', 'the allowed answer after 5 min');
});

test('a change of pod-reader or read-pods: a denial is unsure until confirmed 3 s later; an allowance is asked again after 10 s', async () => {
  const s = setup();
  assert.equal(await settled(s, 'k', ['a']), { kind: 'denied', account: 'a' });
  // The operator creates read-pods: the denial is of the old objects, and the authorizer may still lag.
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v2'), { kind: 'unknown' });
  s.allowed.set('a', true);
  await flush();
  const n = s.calls.length;
  await s.clock.advance(3000);
  s.access.verdict('k', 'shop', ['a'], 'v2');
  await flush();
  assert.is(s.calls.length, n + 1);
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v2'), { kind: 'allowed' });
  // Allowed: another change is looked at only 10 s after the last review.
  s.access.verdict('k', 'shop', ['a'], 'v3');
  await flush();
  assert.is(s.calls.length, n + 1);
  await s.clock.advance(10_000);
  s.access.verdict('k', 'shop', ['a'], 'v3');
  await flush();
  assert.is(s.calls.length, n + 2);
  assert.ok(s.enqueued.length >= 2, 'each changed verdict enqueues the resource');
});

test('a review right after the RBAC objects changed, that still says no, is not reported', async () => {
  const s = setup();
  s.allowed.set('a', true);
  await settled(s, 'k', ['a']);
  s.allowed.set('a', false); // what an authorizer behind the change would answer
  await s.clock.advance(10_000);
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v2'), { kind: 'allowed' }, 'the last answer stands meanwhile');
  await flush();
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v2'), { kind: 'unknown' }, 'an unconfirmed denial: nothing said');
  s.allowed.set('a', true);
  await s.clock.advance(3000);
  s.access.verdict('k', 'shop', ['a'], 'v2');
  await flush();
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v2'), { kind: 'allowed' });
});

test('a review that fails is unknown with its error, and is tried again after 30 s, not sooner', async () => {
  const s = setup();
  s.failWith('403 localsubjectaccessreviews is forbidden');
  assert.equal(await settled(s, 'k', ['a']), { kind: 'unknown', error: '403 localsubjectaccessreviews is forbidden' });
  assert.is(s.calls.length, 1, 'no retry within 30 s');
  s.failWith(undefined);
  await s.clock.advance(30_000);
  s.access.verdict('k', 'shop', ['a'], 'v1');
  await flush();
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v1'), { kind: 'denied', account: 'a' });
});

test('a review unanswered after 10 s is given up and aborted: unknown with why, and tried again after 30 s', async () => {
  const s = setup();
  const release = s.holdAll();
  s.access.verdict('k', 'shop', ['a'], 'v1');
  await flush();
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v1'), { kind: 'unknown' }, 'in flight');
  await s.clock.advance(10_000);
  assert.ok(s.signals[0]?.aborted, 'the request is aborted');
  assert.equal(s.access.verdict('k', 'shop', ['a'], 'v1'), {
    kind: 'unknown',
    error: 'review list pods for ServiceAccount shop/a: no answer within 10 s',
  });
  release();
  await s.clock.advance(30_000);
  s.access.verdict('k', 'shop', ['a'], 'v1');
  await flush();
  assert.is(s.calls.length, 2, 'asked again');
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
  await s.clock.advance(3000);
  s.access.verdict('k2', 'shop', ['shared'], 'v1');
  await flush();
  assert.equal(s.access.verdict('k2', 'shop', ['shared'], 'v1'), { kind: 'denied', account: 'shared' });
});

test.run();
