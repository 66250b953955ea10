// A fake clock for deterministic simulation: timers live in a heap keyed by (time, creation order), and run() fires
// them in that order, letting every promise chain settle (one macrotask turn) between two timers. Nothing sleeps:
// simulated minutes take milliseconds. NodeClock scopes timers to one simulated process, so killing it cancels them.
import type { Clock, Timer } from '../ports.ts';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #heap: Entry[] = [];
  /** Timers fired so far (a cost measure for the tests). */
  fired = 0;

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const e: Entry = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#push(e);
    return e;
  }

  clearTimeout(timer: Timer): void {
    (timer as Entry).cancelled = true;
  }

  /** Runs timers up to `until` (epoch ms), or until `done()` holds after a timer. Returns whether done() held. */
  async run(until: number, done?: () => boolean): Promise<boolean> {
    for (;;) {
      await settle();
      if (done?.()) return true;
      const next = this.#peek();
      if (!next || next.at > until) {
        this.#now = Math.max(this.#now, until);
        return false;
      }
      this.#pop();
      this.#now = next.at;
      this.fired++;
      next.fn();
    }
  }

  /** run() for `ms` from now. */
  advance(ms: number, done?: () => boolean): Promise<boolean> {
    return this.run(this.#now + ms, done);
  }

  #peek(): Entry | undefined {
    while (this.#heap.length > 0 && (this.#heap[0] as Entry).cancelled) this.#pop();
    return this.#heap[0];
  }

  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i] as Entry, h[p] as Entry)) break;
      [h[i], h[p]] = [h[p] as Entry, h[i] as Entry];
      i = p;
    }
  }

  #pop(): Entry | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l] as Entry, h[m] as Entry)) m = l;
        if (r < h.length && this.#less(h[r] as Entry, h[m] as Entry)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Entry, h[i] as Entry];
        i = m;
      }
    }
    return top;
  }
}

/** One simulated process's view of the clock: kill() cancels its timers and ignores new ones. */
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

  setTimeout(fn: () => void, ms: number): Timer {
    if (this.#dead) return {};
    const t: Timer = this.#clock.setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#dead) fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  clearTimeout(timer: Timer): void {
    this.#timers.delete(timer);
    this.#clock.clearTimeout(timer);
  }

  kill(): void {
    this.#dead = true;
    for (const t of this.#timers) this.#clock.clearTimeout(t);
    this.#timers.clear();
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
