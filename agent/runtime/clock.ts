// The real clock: wall time and Node's timers.
import type { Clock, Timer } from '../ports.ts';

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t: Timer) => clearTimeout(t as NodeJS.Timeout),
};
