import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from './fake-clock.ts';

test('timers fire in time order, then creation order, including ones set by a firing timer', async () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b@20'), 20);
  clock.setTimeout(() => {
    fired.push('a@10');
    clock.setTimeout(() => fired.push('d@15'), 5);
  }, 10);
  clock.setTimeout(() => fired.push('c@20'), 20);
  clock.setTimeout(() => fired.push('late'), 31);
  assert.is(await clock.advance(30), false);
  assert.equal(fired, ['a@10', 'd@15', 'b@20', 'c@20']);
  assert.is(clock.pending, 1);
});

test('promise jobs started by a timer settle before the next timer fires', async () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  clock.setTimeout(() => void Promise.resolve().then(() => Promise.resolve().then(() => seen.push('job'))), 1);
  clock.setTimeout(() => seen.push('timer'), 1);
  await clock.advance(1);
  assert.equal(seen, ['job', 'timer']);
});

test('advance stops once done() holds, at the time of the last timer', async () => {
  const clock = new FakeClock();
  const start = clock.monotonic();
  let n = 0;
  const tick = () => {
    n++;
    clock.setTimeout(tick, 100);
  };
  clock.setTimeout(tick, 100);
  assert.is(await clock.advance(10_000, () => n === 3), true);
  assert.is(clock.monotonic() - start, 300);
});

test('cancel takes a timer out at once: a million set-and-cancel cycles leave nothing behind', async () => {
  const clock = new FakeClock();
  let fired = 0;
  const keep = [clock.setTimeout(() => fired++, 5), clock.setTimeout(() => fired++, 50)];
  for (let i = 0; i < 1_000_000; i++) clock.setTimeout(() => fired++, 1 + (i % 3000)).cancel();
  assert.is(clock.pending, 2);
  keep[0]?.cancel();
  keep[0]?.cancel();
  assert.is(clock.pending, 1);
  await clock.advance(5000);
  assert.is(fired, 1);
  keep[1]?.cancel(); // after it fired: nothing happens
  assert.is(clock.pending, 0);
});

test('cancelling from the middle of the heap keeps the order of the rest', async () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const timers = [50, 10, 40, 20, 30, 60, 5].map((ms) => clock.setTimeout(() => fired.push(ms), ms));
  timers[2]?.cancel();
  timers[6]?.cancel();
  await clock.advance(100);
  assert.equal(fired, [10, 20, 30, 50, 60]);
});

test('wall time steps alone: monotonic time, timers and sleeps do not move', async () => {
  const clock = new FakeClock(1_700_000_000_000);
  const mono = clock.monotonic();
  assert.is.not(mono, clock.now(), 'the two readings have different origins');
  let fired = false;
  clock.setTimeout(() => {
    fired = true;
  }, 60_000);
  clock.stepWall(+120_000);
  assert.is(clock.now(), 1_700_000_120_000);
  assert.is(clock.monotonic(), mono);
  await clock.advance(0);
  assert.is(fired, false, 'a wall step does not fire a timer');
  clock.stepWall(-240_000);
  assert.is(clock.now(), 1_699_999_880_000);
  await clock.advance(60_000);
  assert.is(fired, true);
  assert.is(clock.monotonic() - mono, 60_000);
  assert.is(clock.now(), 1_699_999_940_000, 'advance moves wall time too');
});

test('sleep resolves after the time has passed', async () => {
  const clock = new FakeClock();
  let done = false;
  void clock.sleep(1000).then(() => {
    done = true;
  });
  await clock.advance(999);
  assert.is(done, false);
  await clock.advance(1);
  assert.is(done, true);
});

test.run();
