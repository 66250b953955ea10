// Status lag: how long after a cluster's membership changes its ClusterBootstrap's status shows it. For each sample
// (lag.ts: distinct resources, one every `spacingMs`, so the operator's load stays the idle one) the responder takes
// one member away (MemberRemoved on the cluster's open streams, gone from the other nodes' /cluster/members, its own
// address no longer answering) and, `holdMs` after the status showed R - 1 members, brings it back (MemberUp). Each
// lag runs from the responder's emit time to the moment this process receives the watch event whose
// status.members shows the change. One clock: both processes read the machine's wall clock (Date.now()); the
// responder's time comes back over its control channel (bench/responder/control.ts).
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { type LagSummary, lagPlan, lagSummary, memberToRemove } from './lag.ts';
import type { PodFeed } from './pod-feed.ts';
import type { ResponderProcess } from './responder.ts';
import { sleep } from './stats.ts';
import type { Tracker } from './tracker.ts';

export interface LagOptions {
  samples: number;
  spacingMs: number;
  /** after the status showed the removal, how long before the member comes back */
  holdMs: number;
  /** how long one change may take to show before the sample counts as missed */
  timeoutMs: number;
  replicas: number;
}

export interface LagResult {
  removed: LagSummary;
  up: LagSummary;
  /** from the first change to the last one seen (or given up on) */
  windowMs: number;
  /** /cluster/members requests the responder answered in the window */
  membersRequests: number;
  /** member events the responder wrote to streams in the window */
  streamEvents: number;
  /** changes whose watch event came before the responder's emit time by the machine's clock (should be 0) */
  clockInversions: number;
}

/** Resolves with the receive time of the first watch event of a resource that passes a test. */
export class StatusWaiters {
  private readonly waiting = new Map<string, { test: (cb: ClusterBootstrap) => boolean; done: (at: number) => void }>();

  /** Feed every watch event here (Tracker's onResource). */
  onResource(key: string, cb: ClusterBootstrap, at: number): void {
    const w = this.waiting.get(key);
    if (w?.test(cb)) {
      this.waiting.delete(key);
      w.done(at);
    }
  }

  /** The receive time of the first event after now that passes `test`; undefined after `timeoutMs`. */
  next(key: string, test: (cb: ClusterBootstrap) => boolean, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(key, {
        test,
        done: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
    });
  }
}

export async function measureStatusLag(
  o: LagOptions,
  deps: { responder: ResponderProcess; feed: PodFeed; tracker: Tracker; waiters: StatusWaiters },
  say: (m: string) => void,
): Promise<LagResult> {
  const { responder, feed, tracker, waiters } = deps;
  const plan = lagPlan(tracker.keys(), o.samples, o.spacingMs);
  say(`status lag: ${plan.length} samples, one every ${o.spacingMs} ms, each member back ${o.holdMs} ms after`);
  const removed: (number | undefined)[] = [];
  const up: (number | undefined)[] = [];
  let inversions = 0;
  const lag = (seen: number | undefined, at: number) => {
    if (seen === undefined) return undefined;
    if (seen < at) inversions++;
    return seen - at;
  };
  const before = await responder.stats();
  const t0 = Date.now();
  await Promise.all(
    plan.map(async ({ key, atMs }) => {
      await sleep(Math.max(0, t0 + atMs - Date.now()));
      const pod = memberToRemove(feed.pods(key), feed.oldest(key));
      if (!pod) throw new Error(`status lag: ${key} has no member to take away (${feed.pods(key).length} pods)`);
      // Wait first, then change: the event may arrive before the responder's answer does.
      const gone = waiters.next(key, (cb) => cb.status?.members === o.replicas - 1, o.timeoutMs);
      const left = await responder.leave(pod.ip, pod.port);
      removed.push(lag(await gone, left.at));
      await sleep(o.holdMs);
      const back = waiters.next(key, (cb) => cb.status?.members === o.replicas, o.timeoutMs);
      const joined = await responder.join(pod);
      up.push(lag(await back, joined.at));
    }),
  );
  const windowMs = Date.now() - t0;
  const after = await responder.stats();
  const members = (s: typeof before) => s.requests['/cluster/members'] ?? 0;
  const result: LagResult = {
    removed: lagSummary(removed),
    up: lagSummary(up),
    windowMs,
    membersRequests: members(after) - members(before),
    streamEvents: after.eventsSent - before.eventsSent,
    clockInversions: inversions,
  };
  const f = (s: LagSummary) => `p50 ${s.p50} / p99 ${s.p99} / max ${s.max} ms${s.missed ? `, ${s.missed} missed` : ''}`;
  say(`status lag: removed ${f(result.removed)}; up ${f(result.up)}; window ${(windowMs / 1000).toFixed(1)} s`);
  return result;
}
