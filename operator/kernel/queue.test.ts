import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import { TerminalError } from '../errors.ts';
import { backoffDelay, ExponentialRateLimiter } from './backoff.ts';
import { Controller, type ReconcileFn } from './controller.ts';
import { WorkQueue } from './queue.ts';

const silent = pino({ level: 'silent' });
const noJitter = () => 0;

function setup(reconcile: ReconcileFn, concurrency = 2) {
  const clock = new FakeClock();
  const limiter = new ExponentialRateLimiter({ baseMs: 100, maxMs: 10_000, jitter: 0 }, noJitter);
  const queue = new WorkQueue(clock, limiter);
  const outcomes: string[] = [];
  const c = new Controller({
    name: 'test',
    queue,
    reconcile,
    concurrency,
    log: silent,
    clock,
    observer: { reconciled: (_c, outcome) => outcomes.push(outcome) },
  });
  return { clock, queue, c, outcomes };
}

/** A promise with its resolve function, to hold a reconcile in flight. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

test('events for a queued key merge into one reconcile', async () => {
  const seen: string[] = [];
  const { c } = setup(async (key) => {
    seen.push(key);
    return undefined;
  });
  c.enqueue('ns/a');
  c.enqueue('ns/a');
  c.enqueue('ns/b');
  c.enqueue('ns/a');
  c.start();
  await flush();
  assert.equal(seen, ['ns/a', 'ns/b']);
  await c.stop();
});

test('a key added while in flight runs again after, never concurrently', async () => {
  const g = gate();
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const { c } = setup(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    runs++;
    if (runs === 1) await g.p;
    running--;
    return undefined;
  }, 4);
  c.start();
  c.enqueue('ns/a');
  await flush();
  c.enqueue('ns/a');
  c.enqueue('ns/a');
  await flush();
  assert.is(runs, 1, 'second run waits for the first');
  g.open();
  await flush();
  assert.is(runs, 2, 'the two adds during the run merged into one more run');
  assert.is(maxRunning, 1);
  await c.stop();
});

test('concurrency is bounded', async () => {
  const gates = new Map<string, ReturnType<typeof gate>>();
  let running = 0;
  let maxRunning = 0;
  const { c } = setup(async (key) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const g = gate();
    gates.set(key, g);
    await g.p;
    running--;
    return undefined;
  }, 3);
  c.start();
  for (let i = 0; i < 10; i++) c.enqueue(`ns/k${i}`);
  for (let round = 0; round < 10; round++) {
    await flush();
    for (const g of gates.values()) g.open();
  }
  await flush();
  assert.is(gates.size, 10);
  assert.is(maxRunning, 3);
  await c.stop();
});

test('failures back off exponentially per key; success forgets', async () => {
  const times: number[] = [];
  let fail = 3;
  const { c, clock, queue, outcomes } = setup(async () => {
    times.push(clock.now());
    if (fail-- > 0) throw new Error('boom');
    return undefined;
  });
  const t0 = clock.now();
  c.start();
  c.enqueue('ns/a');
  await flush();
  assert.is(queue.retries('ns/a'), 1);
  await clock.advance(99);
  assert.is(times.length, 1, 'not before the first backoff');
  await clock.advance(1);
  assert.is(times.length, 2);
  await clock.advance(200);
  assert.is(times.length, 3);
  await clock.advance(400);
  assert.is(times.length, 4);
  assert.equal(
    times.map((t) => t - t0),
    [0, 100, 300, 700],
  );
  assert.is(queue.retries('ns/a'), 0, 'forgotten after success');
  assert.equal(outcomes, ['error', 'error', 'error', 'success']);
  await clock.advance(100_000);
  assert.is(times.length, 4, 'no retries after success');
  await c.stop();
});

test('backoff of one key does not delay others', async () => {
  const seen: string[] = [];
  const { c } = setup(async (key) => {
    seen.push(key);
    if (key === 'ns/bad') throw new Error('boom');
    return undefined;
  });
  c.start();
  c.enqueue('ns/bad');
  c.enqueue('ns/good');
  await flush();
  c.enqueue('ns/good2');
  await flush();
  assert.equal(seen, ['ns/bad', 'ns/good', 'ns/good2']);
  await c.stop();
});

test('a terminal error is not retried', async () => {
  let runs = 0;
  const { c, clock, outcomes } = setup(async () => {
    runs++;
    throw new TerminalError('NOPE', 'cannot succeed');
  });
  c.start();
  c.enqueue('ns/a');
  await clock.advance(60_000);
  assert.is(runs, 1);
  assert.equal(outcomes, ['terminal']);
  await c.stop();
});

test('requeueAfter looks again later; the earliest pending delay wins', async () => {
  const times: number[] = [];
  const { c, clock, queue } = setup(async () => {
    times.push(clock.now());
    return times.length === 1 ? { requeueAfterMs: 5000 } : undefined;
  });
  const t0 = clock.now();
  c.start();
  c.enqueue('ns/a');
  await flush();
  queue.addAfter('ns/a', 8000);
  queue.addAfter('ns/a', 2000);
  await clock.advance(2000);
  assert.equal(
    times.map((t) => t - t0),
    [0, 2000],
  );
  await clock.advance(10_000);
  assert.is(times.length, 2, 'the later delays were replaced by the earlier one');
  await c.stop();
});

test('backoff grows to the cap and jitter stays within its fraction', () => {
  const o = { baseMs: 100, maxMs: 1000, jitter: 0.5 };
  assert.is(
    backoffDelay(0, o, () => 0),
    100,
  );
  assert.is(
    backoffDelay(3, o, () => 0),
    800,
  );
  assert.is(
    backoffDelay(10, o, () => 0),
    1000,
  );
  assert.is(
    backoffDelay(10, o, () => 0.999),
    1500,
  );
  assert.is(
    backoffDelay(1000, o, () => 0),
    1000,
    'huge attempt numbers do not overflow',
  );
});

test('shutdown drains: in-flight work finishes, queued and delayed work is dropped, adds are ignored', async () => {
  const g = gate();
  const seen: string[] = [];
  const { c, queue } = setup(async (key) => {
    seen.push(key);
    if (key === 'ns/slow') await g.p;
    return undefined;
  }, 1);
  c.start();
  c.enqueue('ns/slow');
  await flush();
  c.enqueue('ns/queued');
  queue.addAfter('ns/later', 1000);
  let stopped = false;
  const stopping = c.stop().then(() => {
    stopped = true;
  });
  await flush();
  assert.not.ok(stopped, 'waits for the reconcile in flight');
  c.enqueue('ns/after');
  g.open();
  await stopping;
  assert.ok(stopped);
  assert.equal(seen, ['ns/slow']);
  assert.is(queue.delayedCount(), 0);
  assert.is(queue.len(), 0);
});

test.run();
