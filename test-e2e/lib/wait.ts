// Polling with a deadline and a message that says what was awaited and what was last seen.
import { setTimeout as sleep } from 'node:timers/promises';

export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  /** what is awaited, for the timeout message: "3 Ready pods" */
  what: string;
  /** default 60 000 */
  timeoutMs?: number;
  /** default 250 */
  intervalMs?: number;
  /** Aborting stops the wait at once: it rejects with the signal's reason. */
  signal?: AbortSignal;
}

type Falsy = undefined | null | false | 0 | '';

/**
 * Calls `fn` until it returns a truthy value and resolves with it. A throw counts as "not yet", and its message is
 * reported as the last state seen: throw `new Error('2 of 3 pods Ready')` to make a timeout self-explaining. On timeout rejects with WaitTimeoutError: `timed out after 60s waiting for <what>; last: <...>`.
 */
export async function waitFor<T>(fn: () => T | Falsy | Promise<T | Falsy>, opts: WaitOptions): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60000;
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const v = await fn();
      if (v) return v as T;
      last = `returned ${JSON.stringify(v)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(
        `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${opts.what}; last: ${last}`,
      );
    }
    await sleep(opts.intervalMs ?? 250, undefined, opts.signal ? { signal: opts.signal } : undefined);
  }
}
