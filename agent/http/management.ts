// The management endpoints, as pure functions of a membership snapshot (docs/agent.md, What it serves):
//   GET /alive                 200 while the process lives
//   GET /ready                 200 only while this node is a member with status Up or WeaklyUp, else 500 with
//                              Pekko's own text (`Not Healthy: Check [...ClusterMembershipCheck] not ok`)
//   GET /bootstrap/seed-nodes  Pekko's JSON, nodeUid a number; reachable Up/WeaklyUp/Joining members, first 5 in
//                              Pekko's member address order; [] before joining
//   GET /cluster/members       Pekko's JSON, nodeUid a string; leader and oldest left out when unknown
// Only reads: like Pekko with route-providers-read-only = true (the default), there are no write routes.
import { compareNodeAddressStrings } from '../../core/protocol/address.ts';
import {
  type ClusterMember,
  formatClusterMembers,
  formatSeedNodes,
  MAX_SEED_NODES,
  NOT_READY_BODY,
  READY_STATUSES,
  SEED_STATUSES,
} from '../../core/protocol/pekko.ts';
import { keyOf, type MemberRecord, nodeOfKey, oldestMember, type View } from '../membership/view.ts';
import type { IncomingRequest, Reply } from '../ports.ts';

export interface MembershipSnapshot {
  selfNode: string;
  selfUid: string;
  /** What the agent is doing: bootstrapping, joining, member, leaving, stopped. */
  phase: string;
  view: View | undefined;
  unreachable: readonly MemberRecord[];
}

const text = (status: number, body: string): Reply => ({ status, body, contentType: 'text/plain; charset=UTF-8' });
const json = (body: string): Reply => ({ status: 200, body, contentType: 'application/json' });

const toMember = (m: MemberRecord): ClusterMember => ({
  node: m.node,
  nodeUid: m.uid,
  status: m.status,
  roles: m.roles,
});
const byAddress = (a: MemberRecord, b: MemberRecord) => compareNodeAddressStrings(a.node, b.node);

export function selfStatus(s: MembershipSnapshot): string | undefined {
  return s.view?.members.find((m) => m.node === s.selfNode && m.uid === s.selfUid)?.status;
}

export function seedNodesBody(s: MembershipSnapshot): string {
  const unreachable = new Set(s.unreachable.map(keyOf));
  const seeds = (s.view?.members ?? [])
    .filter((m) => SEED_STATUSES.includes(m.status) && !unreachable.has(keyOf(m)))
    .sort(byAddress)
    .slice(0, MAX_SEED_NODES)
    .map(toMember);
  return formatSeedNodes({ selfNode: s.selfNode, seedNodes: seeds });
}

export function clusterMembersBody(s: MembershipSnapshot): string {
  const view = s.view;
  const members = [...(view?.members ?? [])].sort(byAddress);
  const oldest = view ? oldestMember(view) : undefined;
  const oldestPerRole: Record<string, string> = {};
  for (const role of [...new Set(members.flatMap((m) => m.roles))].sort()) {
    const o = view ? oldestMember(view, (m) => m.roles.includes(role)) : undefined;
    if (o) oldestPerRole[role] = o.node;
  }
  return formatClusterMembers({
    selfNode: s.selfNode,
    members: members.map(toMember),
    unreachable: [...s.unreachable].sort(byAddress).map((m) => ({ node: m.node, observedBy: [s.selfNode] })),
    ...(view ? { leader: nodeOfKey(view.leader) } : {}),
    ...(oldest ? { oldest: oldest.node } : {}),
    oldestPerRole,
  });
}

export function managementRoute(req: IncomingRequest, snapshot: () => MembershipSnapshot): Reply {
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method Not Allowed');
  const path = req.path.split('?')[0];
  switch (path) {
    case '/alive':
      return text(200, 'OK');
    case '/ready': {
      const status = selfStatus(snapshot());
      if (status !== undefined && READY_STATUSES.includes(status as never)) return text(200, 'OK');
      return text(500, NOT_READY_BODY);
    }
    case '/bootstrap/seed-nodes':
      return json(seedNodesBody(snapshot()));
    case '/cluster/members':
      return json(clusterMembersBody(snapshot()));
    default:
      return text(404, 'The requested resource could not be found.');
  }
}
