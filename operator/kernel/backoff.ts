// Backoff policies: a jittered exponential backoff for reconnecting watches, and the per-key rate limiter the work
// queue takes (injected, as in controller-runtime, so tests and callers choose the curve).

/** A random source in [0, 1); injected so that tests are deterministic. */
export type Random = () => number;

export interface BackoffOptions {
  /** The first delay, in ms. */
  baseMs: number;
  /** The ceiling, in ms, before jitter. */
  maxMs: number;
  /** Up to this fraction is added at random: 0.5 gives delays in [d, 1.5 d). */
  jitter: number;
}

/** The delay before retry number `attempt` (0-based): base * 2^attempt, capped at max, plus jitter. */
export function backoffDelay(attempt: number, o: BackoffOptions, random: Random): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 40));
  return Math.round(exp * (1 + o.jitter * random()));
}

/** Decides how long a key waits before its next try. */
export interface RateLimiter {
  /** The wait before the key's next retry; each call counts one more failure. */
  when(key: string): number;
  /** Forgets the key's failures (after a success). */
  forget(key: string): void;
  /** Failures counted for the key since it was last forgotten. */
  failures(key: string): number;
}

/** Per-key exponential backoff with jitter: the key's n-th failure waits base * 2^(n-1), up to max. */
export class ExponentialRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, number>();
  private readonly options: BackoffOptions;
  private readonly random: Random;

  constructor(options: BackoffOptions, random: Random = Math.random) {
    this.options = options;
    this.random = random;
  }

  when(key: string): number {
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    return backoffDelay(n, this.options, this.random);
  }

  forget(key: string): void {
    this.counts.delete(key);
  }

  failures(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
