// Which pods should carry which controller.kubernetes.io/pod-deletion-cost, from what the pods report on
// /cluster/members. The ReplicaSet removes the pod with the lowest cost first (after pending and not-ready pods), so
// the oldest member, which hosts the cluster singletons and the shard coordinator, goes last. Pure: the caller
// patches what the plan says (deletion-costs.ts).
//
// The order (docs/pekko.md, "Deletion cost"): the member the answers name `oldest` first; /cluster/members exposes no
// other age, so the rest follow by when their member container last started (a restarted container rejoins as a
// new, youngest member), then by pod creation, then by name. The 3 oldest get 10000, 9900 and 9800 (Pekko's own
// rolling-update module annotates the 3 oldest with the same values); the others keep what they have, except that a
// value the operator wrote once is taken back to the template's own (or removed).
import type { V1Pod } from '@kubernetes/client-node';
import { GROUP } from '../../core/api/types.ts';
import { groupClusters, hostOf, type NodeAnswer, type PodView } from '../status/compute.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
/** The value the operator last wrote to POD_DELETION_COST: how it knows which values are its own. */
export const WRITTEN_COST = `${GROUP}/pod-deletion-cost`;
/** How many of the oldest members get a cost. */
export const ANNOTATED_MEMBERS = 3;

/** The cost of the member of age rank `rank` (0 = the oldest). */
export const costOf = (rank: number): number => 10_000 - 100 * rank;

const UP = new Set(['Up', 'WeaklyUp']);
/** Members on their way out: not ranked, whatever a lagging answer still says. */
const LEAVING = new Set(['Leaving', 'Exiting', 'Down', 'Removed']);

export interface CostInput {
  /** The live pods' latest answers (operator/status/observer.ts). */
  views: readonly PodView[];
  /** The resource's pods from the cache, with the annotations as they are now. */
  pods: readonly V1Pod[];
  /** The container that is the cluster member: its start time orders the members after the oldest. */
  memberContainer: string;
  /** The template's own pod-deletion-cost, if any: what a pod the operator no longer ranks goes back to. */
  templateCost?: string;
  /** spec.lifecycle.podDeletionCost. Off: the operator only takes back the values it wrote. */
  enabled: boolean;
}

export interface RankedMember {
  pod: string;
  node: string;
  cost: number;
}

export interface PodPatch {
  pod: string;
  /** Annotation values to set; null removes one. */
  annotations: Record<string, string | null>;
}

export interface CostPlan {
  /** The oldest members, oldest first, with their costs. Empty when membership is not known. */
  ranked: RankedMember[];
  /** Why no member is ranked (enabled, but no single cluster whose answers name an oldest member). */
  unknown?: string;
  /** Only the pods whose annotations differ from the plan. */
  patches: PodPatch[];
}

/** A fresh, whole answer: the latest probe succeeded and the pod serves /cluster/members. */
const goodAnswer = (v: PodView): NodeAnswer | undefined => (v.answer?.members && !v.error ? v.answer : undefined);

function startOf(pod: V1Pod, container: string): string {
  const running = pod.status?.containerStatuses?.find((c) => c.name === container)?.state?.running?.startedAt;
  const created = pod.metadata?.creationTimestamp;
  const iso = (t: unknown) => (t instanceof Date ? t.toISOString() : typeof t === 'string' ? t : '');
  return iso(running) || iso(created);
}

/** The mode of the answers' `oldest` (answers lag while membership changes; the majority is freshest). */
function agreedOldest(answers: readonly NodeAnswer[]): string | undefined {
  const counts = new Map<string, number>();
  for (const a of answers) if (a.members?.oldest) counts.set(a.members.oldest, (counts.get(a.members.oldest) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

/** The members to rank, oldest first, or why there are none. */
function rank(i: CostInput): { ranked: RankedMember[]; unknown?: string } {
  const answered = i.views.filter((v) => goodAnswer(v));
  if (answered.length === 0) return { ranked: [], unknown: 'no pod answered /cluster/members yet' };
  if (groupClusters(answered).length > 1) return { ranked: [], unknown: 'the pods report more than one cluster' };
  const answers = answered.map((v) => goodAnswer(v) as NodeAnswer);
  const oldest = agreedOldest(answers);
  if (!oldest) return { ranked: [], unknown: 'no answer names the oldest member' };
  const up = new Set<string>();
  const going = new Set<string>();
  for (const a of answers) {
    for (const m of a.members?.list ?? []) {
      if (UP.has(m.status)) up.add(m.node);
      else if (LEAVING.has(m.status)) going.add(m.node);
    }
  }
  const byName = new Map(i.pods.map((p) => [p.metadata?.name ?? '', p]));
  const members = i.views.flatMap((v) => {
    const node = v.answer?.selfNode ?? [...up].find((n) => hostOf(n) === v.contactPoint.host);
    const pod = byName.get(v.contactPoint.pod);
    return node && pod && up.has(node) && !going.has(node) ? [{ pod, node }] : [];
  });
  const key = (m: { pod: V1Pod; node: string }) =>
    `${m.node === oldest ? 0 : 1} ${startOf(m.pod, i.memberContainer)} ${m.pod.metadata?.name}`;
  members.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    ranked: members
      .slice(0, ANNOTATED_MEMBERS)
      .map((m, n) => ({ pod: m.pod.metadata?.name ?? '', node: m.node, cost: costOf(n) })),
  };
}

/** The annotations a pod should change to reach `want` (null: absent); undefined when it already has them. */
function diff(pod: V1Pod, want: Record<string, string | null>): Record<string, string | null> | undefined {
  const have = pod.metadata?.annotations ?? {};
  const changes = Object.entries(want).filter(([k, v]) => (have[k] ?? null) !== v);
  return changes.length ? Object.fromEntries(changes) : undefined;
}

/**
 * The costs the pods should carry. A pod without a fresh, whole answer (it answered garbage, nothing, or not yet)
 * keeps whatever it has; so does a pod the operator never annotated and does not rank (a value set in the template
 * or by hand stays). Pure.
 */
export function planDeletionCosts(i: CostInput): CostPlan {
  const { ranked, unknown } = i.enabled ? rank(i) : { ranked: [] };
  const answeredNow = new Set(i.views.filter((v) => goodAnswer(v)).map((v) => v.contactPoint.pod));
  const cost = new Map(ranked.map((m) => [m.pod, String(m.cost)]));
  const patches: PodPatch[] = [];
  for (const pod of i.pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp) continue;
    const ours = pod.metadata?.annotations?.[WRITTEN_COST];
    let want: Record<string, string | null> | undefined;
    const c = cost.get(name);
    if (c !== undefined && answeredNow.has(name)) want = { [POD_DELETION_COST]: c, [WRITTEN_COST]: c };
    // A value the operator wrote and no longer wants goes back to the template's (a value changed by hand since
    // stays). Once membership is unknown (a split, no answers) the values stay where they are; turned off, they go.
    else if (ours !== undefined && c === undefined && (!i.enabled || (unknown === undefined && answeredNow.has(name))))
      want =
        pod.metadata?.annotations?.[POD_DELETION_COST] === ours
          ? { [POD_DELETION_COST]: i.templateCost ?? null, [WRITTEN_COST]: null }
          : { [WRITTEN_COST]: null };
    const changes = want && diff(pod, want);
    if (changes) patches.push({ pod: name, annotations: changes });
  }
  return { ranked, ...(unknown !== undefined ? { unknown } : {}), patches };
}
