// Pure status: contact points, what the nodes answered, and the children's state in; phase, seed, members and
// conditions out. No clock, no client: the caller passes everything observed.
import { ConditionReason, ConditionType, type ContactPointStatus, type ObservedStatus } from '../../core/api/types.ts';
import { compareContactPoints, parseNodeAddress } from '../../core/protocol/index.ts';
import { capped, capText, listed, MAX_ADDRESS_CHARS, MAX_LISTED } from './caps.ts';
import type { ConditionInput } from './conditions.ts';
import { type StatusProblems, withProblems } from './problems.ts';

/** What one pod's management endpoints said, normalised from /bootstrap/seed-nodes and /cluster/members. */
export interface NodeAnswer {
  /** The address the node reports for itself (selfNode). */
  selfNode: string;
  /** seed-nodes' seedNodes[].node: reachable Up/WeaklyUp/Joining members, at most 5. Empty before joining. */
  seedNodes: string[];
  /** /cluster/members, when the pod serves it (Pekko with cluster-http, or the agent). */
  members?: {
    list: { node: string; status: string }[];
    unreachable: string[];
    oldest?: string;
    /** The node this one sees as leader (Pekko's: the lowest reachable Up member), when it knows one. */
    leader?: string;
  };
}

export interface PodView {
  /** Contact point as core/discovery computed it, readiness from the pod's Ready condition. */
  contactPoint: ContactPointStatus;
  /**
   * False for a pod of the resource that the discovery selector does not find: probed (its answer says which cluster
   * it is in) but not a contact point. Default true.
   */
  discovered?: boolean;
  /** The latest answer, if any probe ever succeeded for this pod incarnation. */
  answer?: NodeAnswer;
  /** The latest probe error, if the latest probe failed (the answer above is then older). */
  error?: string;
}

export interface ObservedCluster {
  /** The oldest Up member when known, else the lowest-address seed node. */
  seed: string;
  /** Up members as the cluster reports them. */
  members: string[];
  /** Pods whose answer puts them in this cluster. */
  pods: string[];
  unreachable: string[];
  /** Members some answer lists as Down (downed, not removed yet). */
  down?: string[];
}

export interface Observation extends ObservedStatus {
  clusters: ObservedCluster[];
  /** ContactPointsDiscovered, ClusterFormed and Ready. */
  conditions: ConditionInput[];
}

/** The host of a node address `pekko://system@host:port`. */
export function hostOf(node: string): string {
  const at = node.lastIndexOf('@');
  const colon = node.lastIndexOf(':');
  return at >= 0 && colon > at ? node.slice(at + 1, colon) : node;
}

/** A stable text order for names and addresses in messages (Pekko's address order is not needed here). */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function upMembers(a: NodeAnswer): string[] {
  if (a.members) return a.members.list.filter((m) => m.status === 'Up' || m.status === 'WeaklyUp').map((m) => m.node);
  return a.seedNodes;
}

/** Every node an answer says belongs to the answering node's cluster (itself included once it has joined). */
function clusterNodes(a: NodeAnswer): string[] {
  const nodes = new Set<string>([...a.seedNodes, ...(a.members?.list.map((m) => m.node) ?? [])]);
  if (nodes.size > 0) nodes.add(a.selfNode);
  return [...nodes];
}

/**
 * Groups the pods that answered into clusters: two pods are in one cluster when their answers share a node
 * (union-find over node addresses). Pods that have not joined (no seed nodes, no members) are in none.
 */
export function groupClusters(views: PodView[]): ObservedCluster[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    // The smaller address becomes the root, so grouping does not depend on the order of the answers.
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
    if (lo !== hi) parent.set(hi, lo);
  };
  const joined = views.filter((v) => v.answer && clusterNodes(v.answer).length > 0);
  for (const v of joined) {
    const nodes = clusterNodes(v.answer as NodeAnswer);
    for (const n of nodes) union(nodes[0] as string, n);
  }
  const groups = new Map<string, PodView[]>();
  for (const v of joined) {
    const root = find((v.answer as NodeAnswer).selfNode);
    groups.set(root, [...(groups.get(root) ?? []), v]);
  }
  const clusters: ObservedCluster[] = [];
  for (const group of groups.values()) {
    const answers = group.map((v) => v.answer as NodeAnswer);
    clusters.push({
      seed: seedOf(answers),
      members: consensusMembers(answers),
      pods: group.map((v) => v.contactPoint.pod).sort(byText),
      unreachable: [...new Set(answers.flatMap((a) => a.members?.unreachable ?? []))].sort(byText),
      down: [
        ...new Set(answers.flatMap((a) => a.members?.list.filter((m) => m.status === 'Down').map((m) => m.node) ?? [])),
      ].sort(byText),
    });
  }
  return clusters.sort((a, b) => b.pods.length - a.pods.length || byText(a.seed, b.seed));
}

/**
 * The oldest Up member most answers agree on. When no answer knows the oldest (seed-nodes only), the lowest seed
 * node in Pekko's contact-point order (IP bytes as signed bytes, host, port): the node a new cluster forms around.
 */
function seedOf(answers: NodeAnswer[]): string {
  const oldest = mode(answers.map((a) => a.members?.oldest).filter((o): o is string => o !== undefined));
  if (oldest) return oldest;
  const seeds = [...new Set(answers.flatMap((a) => a.seedNodes))];
  const key = (node: string) => {
    const a = parseNodeAddress(node);
    return a.ok ? { host: a.value.host, port: a.value.port, address: a.value.host } : { host: node };
  };
  seeds.sort((a, b) => compareContactPoints(key(a), key(b)));
  return seeds[0] ?? (answers[0] as NodeAnswer).selfNode;
}

/**
 * The Up members of one cluster: the list most answers report (answers are probed at different moments, and while
 * membership changes the majority is freshest). A tie is broken by the leader's own answer, when the node that the
 * answers name as leader answered itself: in Pekko the leader moves members to Up and removes them, so its view shows
 * a join or a removal first. (Three pods just formed, the third not probed yet: the founder says 3, the second,
 * probed right after its own join, says 2.) Otherwise by the text order of the lists.
 */
function consensusMembers(answers: NodeAnswer[]): string[] {
  const lists = answers.map((a) => upMembers(a).sort(byText).join(','));
  const leader = mode(answers.map((a) => a.members?.leader).filter((l): l is string => l !== undefined));
  const own = answers.findIndex((a) => a.selfNode === leader && a.members?.leader === leader);
  const key = mode(lists, own >= 0 ? lists[own] : undefined);
  return key ? key.split(',').filter(Boolean) : [];
}

/** The most frequent value; a tie goes to `preferred` when it is among the tied, else to the lowest in text order. */
function mode(values: string[], preferred?: string): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) {
    const tieWins = c === bestCount && best !== undefined && (v === preferred || (best !== preferred && v < best));
    if (c > bestCount || tieWins) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

export interface ComputeInput {
  /** Whether the children were applied as desired (the ResourcesReady condition). */
  resourcesReady: boolean;
  requiredContactPoints: number;
  views: PodView[];
  /**
   * Set when the pods cannot list pods (operator/status/rbac.ts: the status text to show). A cluster that has not
   * formed is then explained by it: message and the ClusterFormed/Ready reasons point at RBAC, the phase stays.
   * A Formed or Degraded cluster is reported as it is.
   */
  rbacProblem?: string;
  /**
   * The status said Formed or Degraded last: the cluster formed once. The first-formation rule (as many Up members as
   * required) then no longer applies: a member removed while its pod stays (hung, crash-looping, not Ready) leaves a
   * Formed cluster of the ready pods, not a Forming one.
   */
  formedBefore?: boolean;
}

/**
 * The observed part of the status (docs/status.md has the table):
 * Pending: children not there. Discovering: fewer contact points than required. Forming: enough, no cluster yet.
 * Formed: one cluster and every ready pod in it. Degraded: two or more clusters, or unreachable members.
 */
export function computeObservation(input: ComputeInput & StatusProblems): Observation {
  return capped(withProblems(computePhase(input), input));
}

function computePhase(input: ComputeInput): Observation {
  const pods = input.views.map((v) => v.contactPoint).sort((a, b) => byText(a.pod, b.pod));
  const contactPoints = input.views
    .filter((v) => v.discovered !== false)
    .map((v) => v.contactPoint)
    .sort((a, b) => byText(a.pod, b.pod));
  const readyContactPoints = contactPoints.filter((c) => c.ready).length;
  const clusters = groupClusters(input.views);
  const main = clusters[0];
  const ready = new Set(pods.filter((c) => c.ready).map((c) => c.pod));
  const base = { contactPoints, readyContactPoints, clusters };
  const { ClusterFormed, ContactPointsDiscovered, Ready } = ConditionType;
  const cond = (
    type: ConditionType,
    ok: boolean | 'unknown',
    reason: ConditionReason,
    message: string,
  ): ConditionInput => ({
    type,
    status: ok === 'unknown' ? 'Unknown' : ok ? 'True' : 'False',
    reason,
    message,
  });
  const discovered = contactPoints.length >= input.requiredContactPoints;
  const cpMessage = `${contactPoints.length} of ${input.requiredContactPoints} required contact points discovered`;
  const cpReason = discovered ? ConditionReason.Discovered : ConditionReason.TooFew;
  const cpCondition = cond(ContactPointsDiscovered, discovered, cpReason, cpMessage);

  if (!input.resourcesReady && contactPoints.length === 0) {
    const message = 'waiting for the children (see ResourcesReady)';
    return {
      ...base,
      phase: 'Pending',
      message,
      conditions: [
        cpCondition,
        cond(ClusterFormed, false, ConditionReason.Pending, message),
        cond(Ready, false, ConditionReason.Pending, message),
      ],
    };
  }
  const rbac = input.rbacProblem;
  if (!main) {
    const phase = discovered ? 'Forming' : 'Discovering';
    const found = discovered
      ? `${cpMessage}; no node reports a cluster yet`
      : `${cpMessage}; a new cluster forms only when ${input.requiredContactPoints} are found`;
    const message = rbac ? `${rbac}; ${found}` : found;
    const reason = rbac ? ConditionReason.PodListForbidden : ConditionReason[phase];
    return {
      ...base,
      phase,
      message,
      conditions: [cpCondition, cond(ClusterFormed, false, reason, message), cond(Ready, false, reason, message)],
    };
  }
  const seedNode = main.seed;
  const members = main.members.length;
  // A ready pod is outside the cluster only when its own (post-readiness) answer says it has joined none and the
  // cluster does not list it. A ready pod without a fresh answer is being probed; it does not flip the phase.
  const memberHosts = new Set(main.members.map(hostOf));
  const answered = new Map(input.views.map((v) => [v.contactPoint.pod, v.answer]));
  const outside = pods
    .filter((c) => ready.has(c.pod) && answered.get(c.pod) !== undefined)
    .filter((c) => !main.pods.includes(c.pod) && !memberHosts.has(c.host))
    .map((c) => c.pod);
  // While forming, the founder is Up alone for a moment: the first Formed needs as many members as contact points are
  // required (or as pods exist, after a scale-down below that number).
  const enough = Math.min(input.requiredContactPoints, contactPoints.length);
  let problem: string | undefined;
  let reason: ConditionReason = ConditionReason.Formed;
  if (clusters.length > 1) {
    reason = ConditionReason.SplitBrain;
    const shown = clusters
      .slice(0, MAX_LISTED)
      .map((c) => `${capText(c.seed, MAX_ADDRESS_CHARS)} (pods ${listed(c.pods)})`);
    const more = clusters.length > MAX_LISTED ? ` and ${clusters.length - MAX_LISTED} more` : '';
    problem = `pods report ${clusters.length} different clusters: ${shown.join(' and ')}${more}`;
  } else if (main.unreachable.length > 0) {
    reason = ConditionReason.MembersUnreachable;
    problem = `members unreachable: ${listed(main.unreachable)}`;
  }
  if (problem) {
    return {
      ...base,
      phase: 'Degraded',
      message: problem,
      seedNode,
      members,
      conditions: [cpCondition, cond(ClusterFormed, false, reason, problem), cond(Ready, false, reason, problem)],
    };
  }
  if (outside.length > 0 || (!input.formedBefore && members < enough)) {
    const forming =
      outside.length > 0
        ? `cluster formed around ${seedNode}; ready pods ${listed(outside)} report no membership`
        : `cluster formed around ${seedNode}; ${members} of ${enough} members Up`;
    const message = rbac ? `${rbac}; ${forming}` : forming;
    return {
      ...base,
      phase: 'Forming',
      message,
      seedNode,
      members,
      conditions: [
        cpCondition,
        cond(ClusterFormed, 'unknown', rbac ? ConditionReason.PodListForbidden : ConditionReason.Confirming, message),
        cond(Ready, false, rbac ? ConditionReason.PodListForbidden : ConditionReason.Forming, message),
      ],
    };
  }
  // A formed cluster says nothing about RBAC: its members no longer need the pod list, and the cache may simply not
  // hold a binding that is not the operator's (ResourcesReady reports that conflict).
  const message = `one cluster of ${members} Up member${members === 1 ? '' : 's'} formed around ${seedNode}`;
  return {
    ...base,
    phase: 'Formed',
    message,
    seedNode,
    members,
    conditions: [
      cpCondition,
      cond(ClusterFormed, true, ConditionReason.Formed, message),
      cond(
        Ready,
        input.resourcesReady,
        input.resourcesReady ? ConditionReason.Formed : ConditionReason.ResourcesNotReady,
        message,
      ),
    ],
  };
}
