// One simulated process's view of the shared FakeClock (core/runtime/fake-clock.ts), which is the simulation's one
// time line. A process's monotonic() follows it from the process's own origin (monotonic clocks have arbitrary
// origins); its now() is wall time that a test can step apart from monotonic time (stepWall), as NTP or an operator
// would, one process at a time. kill() cancels the process's timers and ignores new ones, as a dead process runs
// nothing; pause() holds every callback (timers, answers, watch events) until resume(), as SIGSTOP does.
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import type { FakeClock } from '../../core/runtime/fake-clock.ts';

/** Wall time (epoch ms) at the start of a simulation; its monotonic time starts at 0 (harness.ts). */
export const SIM_EPOCH = 1_700_000_000_000;

export class ProcessClock implements Clock {
  readonly #clock: FakeClock;
  readonly #origin: number;
  #wallOffset = 0;
  readonly #timers = new Set<Timer>();
  #dead = false;
  #held: Array<() => void> | undefined;

  /** `origin`: what monotonic() reads when the shared clock's monotonic time is 0. */
  constructor(clock: FakeClock, origin = 0) {
    this.#clock = clock;
    this.#origin = origin;
  }

  now(): number {
    return this.#clock.now() + this.#wallOffset;
  }

  monotonic(): number {
    return this.#origin + this.#clock.monotonic();
  }

  /** Steps this process's wall clock by `ms` (positive: forward). Monotonic time and timers do not move. */
  stepWall(ms: number): void {
    this.#wallOffset += ms;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    if (this.#dead) return { cancel: () => {} };
    const inner = this.#clock.setTimeout(() => {
      this.#timers.delete(timer);
      this.run(fn);
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

  /** Runs `fn` in this process now: dropped when it is dead, held while it is paused. */
  run(fn: () => void): void {
    if (this.#dead) return;
    if (this.#held) this.#held.push(fn);
    else fn();
  }

  get paused(): boolean {
    return this.#held !== undefined;
  }

  pause(): void {
    this.#held ??= [];
  }

  resume(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const fn of held) this.run(fn);
  }

  kill(): void {
    this.#dead = true;
    this.#held = undefined;
    for (const t of [...this.#timers]) t.cancel();
  }

  get dead(): boolean {
    return this.#dead;
  }
}
