// The clock port of the operator and the agent. Time-based code takes a Clock as an argument; only the entry points
// (operator/main.ts, agent/index.ts) wire systemClock, so tests drive time with the FakeClock (fake-clock.ts).
//
// Two readings, never mixed: wall time for instants that others read (timestamps written to the API, log lines),
// which NTP may step forward or back; monotonic time for durations, deadlines and ages, which never goes back.
// Timers run on the monotonic side: a wall clock step neither fires nor delays them.

/** A pending timer. cancel() after it fired, or twice, does nothing. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Wall time in epoch milliseconds: for timestamps written to the API or shown to people. May jump. */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin: for durations and deadlines (subtract two readings). */
  monotonic(): number;
  /** Runs fn once after ms of monotonic time. The timer never keeps the process alive. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Resolves after ms of monotonic time (never rejects). */
  sleep(ms: number): Promise<void>;
}

/** Date.now() and performance.now(); Node's timers, which run on the monotonic clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  sleep(ms) {
    return new Promise((resolve) => systemClock.setTimeout(resolve, ms));
  },
};
