// The pure parts of the status lag measurement (status-lag.ts): which resources, when, which member, and the
// summary of the lags. No clock, no client.
import { nodeAddress } from '../../core/protocol/index.ts';
import type { PodAddress } from '../responder/answers.ts';
import { percentile } from './stats.ts';

/** One sample: a resource (`namespace/name`) and when its member leaves, in ms after the first. */
export interface PlannedSample {
  key: string;
  atMs: number;
}

/**
 * `samples` distinct resources spread evenly over `keys` (sorted first, so a run is repeatable), one every
 * `spacingMs`. At most one sample per resource: fewer resources than samples gives fewer samples.
 */
export function lagPlan(keys: readonly string[], samples: number, spacingMs: number): PlannedSample[] {
  const sorted = [...keys].sort();
  const count = Math.min(samples, sorted.length);
  return Array.from({ length: count }, (_, i) => ({
    key: sorted[Math.floor((i * sorted.length) / count)] as string,
    atMs: i * spacingMs,
  }));
}

/**
 * The member a sample takes away: the youngest by address order, never the oldest (the operator holds its event
 * stream to the oldest member, docs/status.md "Event streams"; taking that one away would measure the stream's
 * move to another pod, not a member change). Undefined for a cluster of one.
 */
export function memberToRemove(pods: readonly PodAddress[], oldest: string | undefined): PodAddress | undefined {
  const others = pods
    .filter((p) => nodeAddress(p.system, p.ip, p.remotingPort) !== oldest)
    .sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }));
  return others.at(-1);
}

export interface LagSummary {
  /** samples measured (the change seen within the timeout) */
  count: number;
  /** samples not seen within the timeout */
  missed: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Percentiles (nearest rank) of the lags measured; `undefined` entries are samples that timed out. */
export function lagSummary(lags: readonly (number | undefined)[]): LagSummary {
  const seen = lags.filter((l): l is number => l !== undefined).sort((a, b) => a - b);
  return {
    count: seen.length,
    missed: lags.length - seen.length,
    p50: percentile(seen, 50),
    p90: percentile(seen, 90),
    p99: percentile(seen, 99),
    max: seen.length ? (seen.at(-1) as number) : Number.NaN,
  };
}

/** How many of something a per-minute rate gives over `ms`. */
export const overWindow = (perMinute: number | undefined, ms: number | undefined) =>
  perMinute === undefined || ms === undefined ? undefined : (perMinute * ms) / 60_000;
