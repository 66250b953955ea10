// One simulated process's view of the shared FakeClock (core/runtime/fake-clock.ts): kill() cancels the timers the
// process set and ignores new ones, as a dead process runs nothing.
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import type { FakeClock } from '../../core/runtime/fake-clock.ts';

export class NodeClock implements Clock {
  readonly #clock: FakeClock;
  readonly #timers = new Set<Timer>();
  #dead = false;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now();
  }

  monotonic(): number {
    return this.#clock.monotonic();
  }

  setTimeout(fn: () => void, ms: number): Timer {
    if (this.#dead) return { cancel: () => {} };
    const inner = this.#clock.setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#dead) fn();
    }, ms);
    const timer: Timer = {
      cancel: () => {
        this.#timers.delete(timer);
        inner.cancel();
      },
    };
    this.#timers.add(timer);
    return timer;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  kill(): void {
    this.#dead = true;
    for (const t of [...this.#timers]) t.cancel();
  }
}
