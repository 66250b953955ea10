// A manual Clock for tests and the agent's simulation (a test double: the production build leaves it out). Time
// moves only in advance(), which fires the due timers in (time, creation) order and lets the promise jobs they start
// settle between two timers; nothing sleeps, so simulated minutes take milliseconds. stepWall() moves wall time
// alone, as an NTP step does. Timers live in a binary heap; cancel() takes a timer out at once, so code that sets
// and cancels a timeout per request keeps no garbage however long it runs.
import type { Clock, Timer } from './clock.ts';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  /** The entry's place in the heap; -1 once fired or cancelled. */
  index: number;
}

export class FakeClock implements Clock {
  #monotonic: number;
  /** Wall time minus monotonic time; stepWall() changes it. */
  #wallOffset: number;
  #seq = 0;
  readonly #heap: Entry[] = [];

  /** Wall time starts at `wallStart` (epoch ms), monotonic time at a different origin, so mixing them shows. */
  constructor(wallStart = 1_700_000_000_000, monotonicStart = 1_000_000) {
    this.#monotonic = monotonicStart;
    this.#wallOffset = wallStart - monotonicStart;
  }

  now(): number {
    return this.#monotonic + this.#wallOffset;
  }

  monotonic(): number {
    return this.#monotonic;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const e: Entry = { at: this.#monotonic + Math.max(0, ms), seq: this.#seq++, fn, index: -1 };
    this.#push(e);
    return { cancel: () => this.#remove(e) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Steps wall time by ms (negative: back). Monotonic time and the timers do not move. */
  stepWall(ms: number): void {
    this.#wallOffset += ms;
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.#heap.length;
  }

  /**
   * Moves time forward by ms, firing every timer that falls due on the way (also ones those timers set). With
   * `done`, stops as soon as it holds (checked after every settle) and resolves true; else resolves false.
   */
  async advance(ms: number, done?: () => boolean): Promise<boolean> {
    const until = this.#monotonic + ms;
    for (;;) {
      await flush();
      if (done?.()) return true;
      const next = this.#heap[0];
      if (!next || next.at > until) {
        this.#monotonic = Math.max(this.#monotonic, until);
        return false;
      }
      this.#remove(next);
      this.#monotonic = Math.max(this.#monotonic, next.at);
      next.fn();
    }
  }

  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #place(e: Entry, i: number): void {
    this.#heap[i] = e;
    e.index = i;
  }

  #push(e: Entry): void {
    this.#place(e, this.#heap.length);
    this.#up(e.index);
  }

  #remove(e: Entry): void {
    const i = e.index;
    if (i < 0) return;
    e.index = -1;
    const last = this.#heap.pop() as Entry;
    if (last === e) return;
    this.#place(last, i);
    this.#up(i);
    this.#down(last.index);
  }

  #up(i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const [child, parent] = [h[i] as Entry, h[p] as Entry];
      if (!this.#less(child, parent)) return;
      this.#place(child, p);
      this.#place(parent, i);
      i = p;
    }
  }

  #down(i: number): void {
    const h = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      let m = i;
      if (l < h.length && this.#less(h[l] as Entry, h[m] as Entry)) m = l;
      if (l + 1 < h.length && this.#less(h[l + 1] as Entry, h[m] as Entry)) m = l + 1;
      if (m === i) return;
      const [a, b] = [h[i] as Entry, h[m] as Entry];
      this.#place(b, i);
      this.#place(a, m);
      i = m;
    }
  }
}

/** Lets queued promise jobs, and the jobs they queue, run (one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
