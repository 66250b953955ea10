// What the split brain resolver suite (test-e2e/suites/sbr.e2e.ts) does around a partition of the real Pekko sample:
// read the resource's Lease and Events, and partitionAndResolve(): cut two groups of pods apart, wait for the resolver
// to down one side and for its pods to restart, heal, and wait for one cluster again, checking the nodes' own views,
// the restarts, the status and the Events on the way, and returning the times.
import { CoordinationV1Api, type V1Lease, type V1Pod } from '@kubernetes/client-node';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { clients } from './cluster.ts';
import { kubectl } from './kubectl.ts';
import { partition } from './partition.ts';
import { foundings, membersAt, nodeOf, oneCluster, restarts, type StatusLog, watchOneCluster } from './pekko-sample.ts';
import { waitFor } from './wait.ts';

const coordination = (): CoordinationV1Api => clients().kc.makeApiClient(CoordinationV1Api);

/** The Lease, or undefined when there is none. */
export async function readLease(ns: string, name: string): Promise<V1Lease | undefined> {
  return coordination()
    .readNamespacedLease({ namespace: ns, name })
    .catch((err: { code?: number }) => {
      if (err.code === 404) return undefined;
      throw err;
    });
}

export function createLease(ns: string, body: V1Lease): Promise<V1Lease> {
  return coordination().createNamespacedLease({ namespace: ns, body });
}

export const leaseReady = (s: ClusterBootstrapStatus) => s.conditions?.find((c) => c.type === 'LeaseReady');

const readPod = (ns: string, p: V1Pod) =>
  clients().core.readNamespacedPod({ namespace: ns, name: p.metadata?.name ?? '' });

/** The notes of the ClusterBootstrap Events of one reason (events.k8s.io, as the operator records them). */
export async function eventNotes(ns: string, reason: string): Promise<string[]> {
  const out = await kubectl(['get', 'events.events.k8s.io', '-o', 'json'], { namespace: ns });
  const items = JSON.parse(out.stdout).items as { reason?: string; note?: string; regarding?: { kind?: string } }[];
  return items.filter((e) => e.reason === reason && e.regarding?.kind === 'ClusterBootstrap').map((e) => e.note ?? '');
}

/** The nodes of `pods` each report exactly `pods` as members, all Up, none unreachable. */
async function viewIs(pods: V1Pod[]): Promise<true> {
  const want = pods.map((p) => `${nodeOf(p)}:Up`).sort();
  for (const p of pods) {
    const m = await membersAt(p.status?.podIP ?? '');
    const got = m?.members.map((x) => `${x.node}:${x.status}`).sort() ?? [];
    if (!m || got.join() !== want.join() || m.unreachable.length) {
      throw new Error(`${p.metadata?.name}: ${JSON.stringify(got)} unreachable ${JSON.stringify(m?.unreachable)}`);
    }
  }
  return true;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

export interface Resolution {
  winners: V1Pod[];
  losers: V1Pod[];
  /** ms from the cut: the first Degraded status, the winners alone, the last loser restarted. */
  degradedMs: number;
  resolvedMs: number;
  restartedMs: number;
  /** ms from the heal: one cluster as the nodes see it, status Formed. */
  oneClusterMs: number;
  formedMs: number;
  /** How often the second-cluster sampler read every pod. */
  samples: number;
}

/**
 * Cuts `sides.a` from `sides.b` and waits for the resolver: status Degraded (naming the losers at some point), the
 * winners see only each other, and every loser's container exits with status 255 (Pekko's exit code for a node the
 * cluster downed, with coordinated-shutdown.exit-jvm from the operator) and restarts while still cut off; the
 * winners do not restart. `decide` says which side wins (at once, or from the Lease). Heals in a finally, then waits
 * for one cluster of all pods and status Formed, and checks: never two clusters (a sampler of every pod's
 * /cluster/members), one founding in the logs, the losers in status.splitBrainResolver.downed and in MemberDowned
 * Events.
 */
export async function partitionAndResolve(
  ns: string,
  log: StatusLog,
  sides: { a: V1Pod[]; b: V1Pod[] },
  decide: () => Promise<{ winners: V1Pod[]; losers: V1Pod[] }>,
): Promise<Resolution> {
  const all = [...sides.a, ...sides.b];
  const before = new Map(all.map((p) => [p.metadata?.name, restarts(p)]));
  const watcher = watchOneCluster(ns, all.map(nodeOf));
  let watching = true;
  try {
    const t0 = Date.now();
    const cut = await partition(sides.a, sides.b);
    let sided: { winners: V1Pod[]; losers: V1Pod[] };
    let degradedAt: number;
    let resolvedAt: number;
    let restartedAt: number;
    try {
      degradedAt = (await log.until((s) => s.phase === 'Degraded', 'status Degraded', 60_000, t0)).at;
      sided = await decide();
      const { winners, losers } = sided;
      const lostNodes = losers.map(nodeOf);
      await waitFor(
        () => log.samples.some((x) => x.at >= t0 && lostNodes.every((n) => (x.status.message ?? '').includes(n))),
        { what: `a Degraded status naming ${lostNodes.join(', ')}`, timeoutMs: 30_000 },
      );
      await waitFor(() => viewIs(winners), { what: 'the winners see only each other', timeoutMs: 60_000 });
      resolvedAt = Date.now();
      const exits = await waitFor(
        async () => {
          const now = await Promise.all(losers.map((p) => readPod(ns, p)));
          const waiting = now.filter((p) => restarts(p) <= (before.get(p.metadata?.name) ?? 0));
          if (waiting.length) throw new Error(`not restarted yet: ${waiting.map((p) => p.metadata?.name).join(', ')}`);
          return now.map((p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode);
        },
        { what: 'the downed pods restart', timeoutMs: 90_000, intervalMs: 500 },
      );
      restartedAt = Date.now();
      check(
        exits.every((c) => c === 255),
        `exit status of the downed nodes: ${exits}, want 255`,
      );
      for (const p of await Promise.all(winners.map((w) => readPod(ns, w)))) {
        check(restarts(p) === before.get(p.metadata?.name), `${p.metadata?.name} on the surviving side restarted`);
      }
    } finally {
      await cut.heal();
    }
    const healAt = Date.now();
    await oneCluster(ns, all.length, 120_000);
    const oneAt = Date.now();
    const formed = await log.until(
      (s) => s.phase === 'Formed' && s.members === all.length,
      `status Formed with ${all.length} members`,
      60_000,
      healAt,
    );
    watching = false;
    const { problems, samples } = await watcher.stop();
    check(problems.length === 0, `two clusters seen (${samples} samples of every pod): ${problems.join('; ')}`);
    check(foundings(ns) === 1, `${foundings(ns)} nodes founded a cluster, want 1`);
    const downed = log.latest().splitBrainResolver?.downed?.map((d) => d.node) ?? [];
    const notes = await eventNotes(ns, 'MemberDowned');
    for (const n of sided.losers.map(nodeOf)) {
      check(downed.includes(n), `${n} in status.splitBrainResolver.downed: ${downed}`);
      check(
        notes.some((x) => x.includes(n)),
        `a MemberDowned Event for ${n}: ${notes}`,
      );
    }
    return {
      ...sided,
      degradedMs: degradedAt - t0,
      resolvedMs: resolvedAt - t0,
      restartedMs: restartedAt - t0,
      oneClusterMs: oneAt - healAt,
      formedMs: formed.at - healAt,
      samples,
    };
  } finally {
    if (watching) await watcher.stop();
  }
}
