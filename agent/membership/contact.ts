// A member's contact with the API server (docs/membership.md, "Self-fencing"): the send time of the last request
// that succeeded, a consistent read every contact interval to renew it (a failed one retried after 0.5, 1, then 2 s),
// and the moment the claim lapses: the contact timeout after that send time, on the monotonic clock.
import type { Clock, Logger, Timer } from '../ports.ts';

const RETRY_MS = [500, 1000, 2000];

export interface ContactDeps {
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  timeoutMs: number;
  /** One consistent read; resolves once its answer was taken in (and noted here), rejects when it failed. */
  read: () => Promise<void>;
  /** The contact turned fresh or lapsed. */
  onChange: () => void;
}

export class Contact {
  readonly #d: ContactDeps;
  #last = Number.NEGATIVE_INFINITY;
  #failures = 0;
  #lapsed = false;
  #readTimer: Timer | undefined;
  #lapseTimer: Timer | undefined;
  #running = false;

  constructor(deps: ContactDeps) {
    this.#d = deps;
  }

  /** True while the last successful request was sent less than the contact timeout ago. */
  fresh(now = this.#d.clock.monotonic()): boolean {
    return now - this.#last < this.#d.timeoutMs;
  }

  /** A request sent at `sentAt` (monotonic) succeeded. */
  note(sentAt: number): void {
    if (sentAt <= this.#last) return;
    const { clock, logger, timeoutMs } = this.#d;
    this.#last = sentAt;
    if (this.#lapsed) {
      this.#lapsed = false;
      logger.info({}, 'contact with the Kubernetes API restored');
    }
    this.#lapseTimer?.cancel();
    this.#lapseTimer = clock.setTimeout(() => this.#lapse(), Math.max(0, sentAt + timeoutMs - clock.monotonic()));
    this.#d.onChange();
  }

  start(): void {
    this.#running = true;
    this.#schedule(this.#d.intervalMs);
  }

  stop(): void {
    this.#running = false;
    for (const t of [this.#readTimer, this.#lapseTimer]) t?.cancel();
    this.#readTimer = this.#lapseTimer = undefined;
  }

  #lapse(): void {
    this.#lapseTimer = undefined;
    if (!this.#running) return;
    this.#lapsed = true;
    this.#d.logger.warn(
      { timeoutMs: this.#d.timeoutMs },
      'no contact with the Kubernetes API: not claiming membership until it answers',
    );
    this.#d.onChange();
  }

  #schedule(ms: number): void {
    this.#readTimer?.cancel();
    this.#readTimer = this.#d.clock.setTimeout(() => void this.#confirm(), ms);
  }

  async #confirm(): Promise<void> {
    this.#readTimer = undefined;
    if (!this.#running) return;
    try {
      await this.#d.read();
      this.#failures = 0;
    } catch (err) {
      this.#d.logger.debug({ error: (err as Error).message }, 'membership read failed');
      this.#failures++;
    }
    if (!this.#running) return;
    const retry = RETRY_MS[Math.min(this.#failures, RETRY_MS.length) - 1];
    const since = this.#d.clock.monotonic() - this.#last;
    this.#schedule(retry ?? Math.max(0, this.#d.intervalMs - since));
  }
}
