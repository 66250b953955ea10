// A keyed work queue with the discipline of client-go's workqueue: a key is in the queue at most once (events for it
// merge), a key being processed is never handed out again until done() (one reconcile in flight per key), and a key
// added while in flight is queued again when it is done. Delays (requeue-after, backoff) are timers on the clock.

import type { Clock, Timer } from '../../core/runtime/clock.ts';
import type { RateLimiter } from './backoff.ts';

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys that need processing: queued, or added again while in flight. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** The pending delayed add per key, and when it fires. */
  private readonly delayed = new Map<string, { at: number; timer: Timer }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;

  constructor(clock: Clock, limiter: RateLimiter) {
    this.clock = clock;
    this.limiter = limiter;
  }

  /** Marks the key for processing. No-op when it is already queued, or after shutdown. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() queues it again
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds the key after ms. Of several pending delays for one key, the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Adds the key after the rate limiter's backoff for it (counts one failure). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clears the key's failure count (call after a successful reconcile). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** Failures counted for the key. */
  retries(key: string): number {
    return this.limiter.failures(key);
  }

  /**
   * The next key to process, waiting for one if the queue is empty; undefined once the queue is shut down.
   * The caller must call done(key) when it is finished with it.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of key; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
    if (this.processing.size === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Keys waiting to be processed (the queue depth metric). */
  len(): number {
    return this.queue.length;
  }

  /** Keys being processed now. */
  inFlight(): number {
    return this.processing.size;
  }

  /** Keys waiting on a timer (requeue-after or backoff). */
  delayedCount(): number {
    return this.delayed.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops taking work: no more adds, waiting get() calls end with undefined, delayed adds are dropped, and queued
   * keys are discarded (reconcile is level-based: the next leader or the restarted process lists everything again).
   * Resolves when every key in flight is done.
   */
  shutDownWithDrain(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
