// The delay before the next contact-point lookup. Success: the plain discovery interval. After n consecutive
// failures: Pekko's exponential backoff (BackoffSupervisor.calculateDelay), min(max, interval * 2^n) * (1 + random *
// randomFactor); like Pekko, the random part may take it up to max * (1 + randomFactor).
export interface BackoffSettings {
  discoveryIntervalMs: number;
  backoffMaxMs: number;
  backoffRandomFactor: number;
}

/** `failures` consecutive failed lookups so far; `random` is a number in [0, 1). */
export function nextLookupDelay(failures: number, s: BackoffSettings, random: number): number {
  if (failures <= 0) return s.discoveryIntervalMs;
  const base = Math.min(s.backoffMaxMs, s.discoveryIntervalMs * 2 ** Math.min(failures, 30));
  return Math.round(base * (1 + random * s.backoffRandomFactor));
}
