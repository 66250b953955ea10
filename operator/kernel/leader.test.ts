import type { V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import { ConfigError } from '../errors.ts';
import type { LeaseApi } from '../kube/client.ts';
import { MemoryLeases, never, untilAborted } from '../kube/fake-leases.ts';
import { LeaderElector } from './leader.ts';

const silent = pino({ level: 'silent' });

function candidate(id: string, store: LeaseApi, clock: FakeClock, log: string[], random = () => 0) {
  return new LeaderElector({
    namespace: 'ops',
    name: 'pekko-bootstrap-operator',
    identity: id,
    leaseApi: store,
    clock,
    log: silent,
    random,
    onStartedLeading: () => log.push(`${id} leads`),
    onStoppedLeading: (reason) => log.push(`${id} lost: ${reason}`),
  });
}

/** Advances in 100 ms steps until cond() holds (at most maxMs); returns the time it took. */
/** One candidate 'a', started, leading after 3 s. */
async function leading() {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  a.start();
  await clock.advance(3_000);
  return { clock, store, log, a };
}

async function advanceUntil(clock: FakeClock, cond: () => boolean, maxMs: number): Promise<number> {
  const from = clock.now();
  while (!cond() && clock.now() - from < maxMs) await clock.advance(100);
  return clock.now() - from;
}

test('of two candidates exactly one leads, and it keeps renewing', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  const b = candidate('b', store, clock, log);
  a.start();
  b.start();
  await clock.advance(60_000);
  assert.equal(log, ['a leads']);
  assert.ok(a.isLeader());
  assert.not.ok(b.isLeader());
  assert.is(store.holder, 'a');
  await a.release();
  await b.release();
});

test('when the leader dies, the follower takes over after the lease duration', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  const b = candidate('b', store, clock, log);
  a.start();
  await flush();
  b.start();
  await clock.advance(10_000);
  // A SIGKILL: no release, the timers just stop.
  (a as unknown as { stopped: boolean }).stopped = true;
  const tookOver = await advanceUntil(clock, () => b.isLeader(), 40_000);
  assert.ok(b.isLeader());
  assert.ok(tookOver >= 13_000 && tookOver <= 15_000 + 4_400 + 2_000, `took over after ${tookOver} ms`);
  assert.is(store.lease?.spec?.leaseTransitions, 1);
  await b.release();
});

test('release hands over at once', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  const b = candidate('b', store, clock, log);
  a.start();
  await flush();
  b.start();
  await clock.advance(5_000);
  await a.release();
  assert.is(store.holder, '');
  await clock.advance(4_400); // one follower retry period with jitter
  assert.ok(b.isLeader());
  assert.equal(log, ['a leads', 'b leads'], 'release is not reported as a loss');
  await b.release();
});

test('release during an in-flight acquire: the lease that acquire wins is given back, and nobody waits for it', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  store.before = (call) => (call.op === 'create' ? gate : Promise.resolve());
  a.start();
  await clock.advance(100);
  assert.equal(
    store.calls.map((c) => c.op),
    ['read', 'create'],
    'the create is in flight',
  );
  const released = a.release();
  open(); // the create goes through: "a" holds the Lease, but it is shutting down
  await clock.advance(100);
  await released;
  assert.is(store.holder, '', 'released');
  assert.not.ok(a.isLeader());
  assert.equal(log, [], 'never started leading');
  store.before = undefined;
  const b = candidate('b', store, clock, log);
  b.start();
  await clock.advance(100);
  assert.ok(b.isLeader(), 'the next candidate takes over at once, not after the lease duration');
  await b.release();
});

test('the leader renews every retry period without jitter; followers retry with jitter', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const reads = { a: 0, b: 0 };
  const counting = (id: 'a' | 'b'): LeaseApi => ({
    read: (ns, name, signal) => {
      reads[id]++;
      return store.read(ns, name, signal);
    },
    create: (lease, signal) => store.create(lease, signal),
    replace: (lease, signal) => store.replace(lease, signal),
  });
  const a = candidate('a', counting('a'), clock, log, () => 1); // the largest jitter
  a.start();
  await clock.advance(100);
  const b = candidate('b', counting('b'), clock, log, () => 0.5);
  b.start();
  const renewals: number[] = [];
  for (let i = 0; i < 440; i++) {
    await clock.advance(100);
    if (renewals.at(-1) !== store.renewedAt) renewals.push(store.renewedAt);
  }
  const gaps = renewals.slice(1).map((t, i) => t - (renewals[i] as number));
  assert.ok(gaps.length >= 20, `${gaps.length} renewals`);
  assert.ok(
    gaps.every((g) => g === 2_000),
    `renew gaps ${gaps.join(', ')}`,
  );
  // b: a round at once, then one every 2 s * (1 + 1.2 * 0.5) = 3.2 s: 14 rounds in 44 s (28 without jitter).
  assert.is(reads.b, 14, `follower rounds: ${reads.b}`);
  assert.equal(log, ['a leads']);
  await a.release();
  await b.release();
});

test('a leader that cannot renew for the renew deadline stops leading', async () => {
  const { clock, store, log, a } = await leading();
  assert.ok(a.isLeader());
  store.down = true;
  await clock.advance(8_000);
  assert.ok(a.isLeader(), 'still within the renew deadline');
  await clock.advance(4_000);
  assert.not.ok(a.isLeader());
  assert.equal(log, ['a leads', 'a lost: could not renew the lease within the renew deadline']);
});

test('a Lease call that never answers: the leader stops leading by the renew deadline (watchdog)', async () => {
  const { clock, store, log, a } = await leading();
  assert.ok(a.isLeader());
  store.before = never; // a stalled connection: no answer, no error, the signal ignored
  const lastRenew = store.renewedAt;
  await advanceUntil(clock, () => !a.isLeader(), 60_000);
  const stoppedAfter = clock.now() - lastRenew;
  assert.not.ok(a.isLeader());
  assert.ok(stoppedAfter >= 10_000 && stoppedAfter <= 11_000, `stopped ${stoppedAfter} ms after the last renewal`);
  assert.equal(log, ['a leads', 'a lost: could not renew the lease within the renew deadline']);
  const hung = store.calls.at(-1);
  assert.ok(hung?.signal.aborted, 'the hung call was told to give up');
});

test('a wall clock stepped back 2 minutes does not delay the stop: deadlines are on the monotonic clock', async () => {
  const { clock, store, a } = await leading();
  assert.ok(a.isLeader());
  store.before = never;
  const hungAt = clock.monotonic();
  clock.stepWall(-120_000);
  await advanceUntil(clock, () => !a.isLeader(), 60_000);
  const stoppedAfter = clock.monotonic() - hungAt;
  assert.ok(stoppedAfter <= 11_000, `stopped ${stoppedAfter} ms after the calls hung`);
});

test('every Lease call carries a deadline: a hung read is abandoned after the request timeout', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  let hang = true;
  store.before = (call) => (hang ? untilAborted(call.signal) : Promise.resolve());
  const a = candidate('a', store, clock, log);
  a.start();
  await clock.advance(100);
  const first = store.calls[0];
  await clock.advance(4_800);
  assert.not.ok(first?.signal.aborted, 'not before max(1 s, renewDeadline / 2)');
  await clock.advance(200);
  assert.ok(first?.signal.aborted, 'aborted at 5 s');
  hang = false;
  await clock.advance(2_100);
  assert.ok(a.isLeader(), 'the candidate went on polling and won');
  await a.release();
});

test('one hung renewal does not cost the lease: the next round within the deadline renews', async () => {
  const { clock, store, log, a } = await leading();
  let hangs = 1;
  store.before = () => (hangs-- > 0 ? never() : Promise.resolve());
  await clock.advance(30_000);
  assert.ok(a.isLeader());
  assert.equal(log, ['a leads']);
  await a.release();
});

test('a slow renewal then a hung one: the round after the abandoned call starts at once and renews in time', async () => {
  const { clock, store, log, a } = await leading();
  // A renewal that answers after 1.5 s (a loaded API server), then one that never answers (abandoned after 5 s):
  // counted from the end of the slow round, the next would start past the renew deadline of the slow round's start.
  const delays = [() => new Promise<void>((r) => clock.setTimeout(r, 1_500)), never];
  store.before = () => (delays.shift() ?? (() => Promise.resolve()))();
  await clock.advance(30_000);
  assert.ok(a.isLeader());
  assert.equal(log, ['a leads']);
  await a.release();
});

test('a short API outage within the renew deadline keeps the leader', async () => {
  const { clock, store, log, a } = await leading();
  store.down = true;
  await clock.advance(5_000);
  store.down = false;
  await clock.advance(30_000);
  assert.ok(a.isLeader());
  assert.equal(log, ['a leads']);
  await a.release();
});

test('a leader that finds another holder steps down at once', async () => {
  const { clock, store, log, a } = await leading();
  const lease = store.lease as V1Lease;
  store.store({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } });
  await clock.advance(2_000);
  assert.not.ok(a.isLeader());
  assert.equal(log, ['a leads', 'a lost: another candidate holds the lease']);
});

test('timings that cannot keep one writer are refused', () => {
  const make = (leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number) => () =>
    new LeaderElector({
      namespace: 'ops',
      name: 'l',
      identity: 'a',
      leaseApi: new MemoryLeases(),
      clock: new FakeClock(),
      log: silent,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
    });
  assert.throws(
    make(10_000, 10_000, 2_000),
    (e: unknown) => e instanceof ConfigError && /leaseDuration/.test(String(e)),
  );
  assert.throws(make(15_000, 2_000, 2_000), (e: unknown) => e instanceof ConfigError);
  make(15_000, 10_000, 2_000)();
});

test.run();
