// Which pod split repair deletes next, if any (docs/status.md, "Split repair"). Pure: the clusters the pods report
// (status/compute.ts), the resource's own pods from the cache, and the time in; a decision out.
//
// The cluster kept is the one with the most Up members; a tie goes to the cluster whose seed (its oldest member)
// runs in the oldest pod (creationTimestamp), then to the lower seed address. The pods of the other clusters are
// deleted one at a time, the smaller clusters first: the next only once no pod of the resource is terminating and
// every pod younger than `joinBoundMs` has joined a cluster (the replacement of the one before joined, or gave up),
// so the Deployment's replacements come back one by one and join the cluster they find. Level-based: after an
// operator restart the same rules hold, with nothing remembered but the pod last deleted (for a cache that has not
// seen the delete yet).
import type { V1Pod } from '@kubernetes/client-node';
import { hostOf, type ObservedCluster } from '../status/compute.ts';

/** How long a new pod may take to join a cluster before the repair goes on without it. */
export const JOIN_BOUND_MS = 120_000;

export interface SplitRepairInput {
  clusters: readonly ObservedCluster[];
  /** The resource's own pods (its instance label), terminating ones included. */
  pods: readonly V1Pod[];
  /** Wall-clock ms (pods' creationTimestamps are wall-clock). */
  now: number;
  /** The pod this repair deleted last, while the cache may not show it yet. */
  lastDeleted?: { uid: string };
  joinBoundMs?: number;
}

export type SplitRepairStep =
  | { kind: 'none' }
  | { kind: 'wait'; why: string; keep: ObservedCluster }
  | { kind: 'delete'; pod: V1Pod; from: ObservedCluster; keep: ObservedCluster; remaining: string[] };

const createdAt = (p: V1Pod | undefined) => {
  const t = p?.metadata?.creationTimestamp;
  const ms = t === undefined ? Number.NaN : new Date(t).getTime();
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
};
const nameOf = (p: V1Pod) => p.metadata?.name ?? '';
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The cluster to keep: most Up members, then the seed in the oldest pod, then the lower seed address. */
export function keptCluster(clusters: readonly ObservedCluster[], pods: readonly V1Pod[]): ObservedCluster {
  const seedAge = (c: ObservedCluster) => createdAt(pods.find((p) => p.status?.podIP === hostOf(c.seed)));
  return [...clusters].sort(
    (a, b) => b.members.length - a.members.length || seedAge(a) - seedAge(b) || byText(a.seed, b.seed),
  )[0] as ObservedCluster;
}

/**
 * Whether the resource's pods have come to rest: none terminating, and every pod younger than the bound in a
 * cluster (a replacement that has not joined yet is still on its way).
 */
export function podsSettled(
  clusters: readonly ObservedCluster[],
  pods: readonly V1Pod[],
  now: number,
  bound = JOIN_BOUND_MS,
) {
  const inCluster = new Set(clusters.flatMap((c) => c.pods));
  return !pods.some((p) => p.metadata?.deletionTimestamp || (!inCluster.has(nameOf(p)) && now - createdAt(p) < bound));
}

export function planSplitRepair(i: SplitRepairInput): SplitRepairStep {
  if (i.clusters.length < 2) return { kind: 'none' };
  const keep = keptCluster(i.clusters, i.pods);
  const bound = i.joinBoundMs ?? JOIN_BOUND_MS;
  const alive = i.pods.filter((p) => !p.metadata?.deletionTimestamp);
  const byName = new Map(alive.map((p) => [nameOf(p), p]));
  const others = i.clusters
    .filter((c) => c !== keep)
    .sort((a, b) => a.members.length - b.members.length || byText(a.seed, b.seed));
  const victims = others.flatMap((c) => c.pods.flatMap((name) => (byName.has(name) ? [{ name, from: c }] : [])));
  if (victims.length === 0) return { kind: 'wait', why: 'no pod of this resource is in the other clusters', keep };

  if (i.lastDeleted && alive.some((p) => p.metadata?.uid === i.lastDeleted?.uid)) {
    return { kind: 'wait', why: 'the pod deleted last is not terminating in the cache yet', keep };
  }
  const terminating = i.pods.find((p) => p.metadata?.deletionTimestamp);
  if (terminating) return { kind: 'wait', why: `pod ${nameOf(terminating)} is terminating`, keep };
  const inCluster = new Set(i.clusters.flatMap((c) => c.pods));
  const joining = alive
    .filter((p) => !inCluster.has(nameOf(p)) && i.now - createdAt(p) < bound)
    .sort((a, b) => byText(nameOf(a), nameOf(b)))[0];
  if (joining) return { kind: 'wait', why: `pod ${nameOf(joining)} has not joined a cluster yet`, keep };

  const first = victims[0] as { name: string; from: ObservedCluster };
  return {
    kind: 'delete',
    pod: byName.get(first.name) as V1Pod,
    from: first.from,
    keep,
    remaining: victims.slice(1).map((v) => v.name),
  };
}
