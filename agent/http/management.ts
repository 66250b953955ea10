// The management endpoints, as pure functions of a membership snapshot (docs/agent.md, What it serves):
//   GET /alive                     200 while the process lives
//   GET /ready                     200 only while this node claims membership as an Up member
//                                  (docs/membership.md, "Its claim"), else 500 with Pekko's own text; so 500 while
//                                  bootstrapping, joining, isolated from the API, challenged, or leaving
//   GET /bootstrap/seed-nodes      Pekko's JSON, nodeUid a number; reachable Up/WeaklyUp/Joining members, the first 5
//                                  in Pekko's member order; [] unless this node claims membership
//   GET /cluster/members           Pekko's JSON, nodeUid a string; members by the whole address string, as Pekko
//                                  Management lists them; leader and oldest left out when unknown
//   GET /cluster/members/{address} one member ({address} is the whole address or host:port, URL-encoded or not),
//                                  404 {"message":"Member [...] not found"} once it is gone
//   GET /cluster/domain-events     server-sent events: the members /cluster/members shows as events, then each
//                                  change of them, a keep-alive every 10 s; `type` filters (domain-events.ts). The
//                                  stream itself is the caller's (domain-streams.ts); 404 without one
// Only reads: like Pekko with route-providers-read-only = true (the default), there are no write routes (405).
import { parseNodeAddress } from '../../core/protocol/address.ts';
import {
  type ClusterMember,
  formatClusterMembers,
  formatSeedNodes,
  MAX_SEED_NODES,
  NOT_READY_BODY,
  SEED_STATUSES,
} from '../../core/protocol/pekko.ts';
import { compareForMembersJson, compareMembers } from '../membership/order.ts';
import { keyOf, type MemberEntry } from '../membership/record.ts';
import type { View } from '../membership/view.ts';
import type { IncomingRequest, Reply, StreamReply } from '../ports.ts';

export interface MembershipSnapshot {
  selfNode: string;
  selfUid: string;
  /** What the agent is doing (agent.ts AgentPhase). */
  phase: string;
  /** This node claims membership now: /ready, seed nodes. */
  claim: boolean;
  /** What it shows on /cluster/members: while it claims membership, and while it leaves. */
  view: View | undefined;
}

const text = (status: number, body: string): Reply => ({ status, body, contentType: 'text/plain; charset=UTF-8' });
const json = (body: string, status = 200): Reply => ({ status, body, contentType: 'application/json' });

const toMember = (m: MemberEntry): ClusterMember => ({
  node: m.node,
  nodeUid: m.uid,
  status: m.status,
  roles: m.roles,
});

export function seedNodesBody(s: MembershipSnapshot): string {
  const view = s.claim ? s.view : undefined;
  const unreachable = new Set(view?.unreachable.map((u) => keyOf(u.member)));
  const seeds = (view?.members ?? [])
    .filter((m) => SEED_STATUSES.includes(m.status as never) && !unreachable.has(keyOf(m)))
    .sort(compareMembers)
    .slice(0, MAX_SEED_NODES)
    .map(toMember);
  return formatSeedNodes({ selfNode: s.selfNode, seedNodes: seeds });
}

export function clusterMembersBody(s: MembershipSnapshot): string {
  const view = s.view;
  return formatClusterMembers({
    selfNode: s.selfNode,
    members: [...(view?.members ?? [])].sort(compareForMembersJson).map(toMember),
    unreachable: (view?.unreachable ?? []).map((u) => ({ node: u.member.node, observedBy: [u.observedBy] })),
    ...(view?.leader ? { leader: view.leader.node } : {}),
    ...(view?.oldest ? { oldest: view.oldest.node } : {}),
    oldestPerRole: view?.oldestPerRole ?? {},
  });
}

/** Pekko Management's findMember: the whole address, or its host:port. */
function memberReply(s: MembershipSnapshot, raw: string): Reply {
  let address = raw;
  try {
    address = decodeURIComponent(raw);
  } catch {
    // not percent-encoded: use it as it is
  }
  const found = s.view?.members.find((m) => {
    const p = parseNodeAddress(m.node);
    return m.node === address || (p.ok && `${p.value.host}:${p.value.port}` === address);
  });
  if (!found) return json(JSON.stringify({ message: `Member [${address}] not found` }), 404);
  const m = toMember(found);
  return json(JSON.stringify({ node: m.node, nodeUid: m.nodeUid, roles: m.roles, status: m.status }));
}

const DOMAIN_EVENTS = '/cluster/domain-events';

/** `domainEvents`: the stream of GET /cluster/domain-events, given the path with its query. */
export function managementRoute(
  req: IncomingRequest,
  snapshot: () => MembershipSnapshot,
  domainEvents?: (path: string) => StreamReply,
): Reply | StreamReply {
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method Not Allowed');
  const path = req.path.split('?')[0] ?? '';
  // Pekko matches the path prefix: /cluster/domain-events/ too.
  if (domainEvents && (path === DOMAIN_EVENTS || path.startsWith(`${DOMAIN_EVENTS}/`))) return domainEvents(req.path);
  switch (path) {
    case '/alive':
      return text(200, 'OK');
    case '/ready':
      return snapshot().claim ? text(200, 'OK') : text(500, NOT_READY_BODY);
    case '/bootstrap/seed-nodes':
      return json(seedNodesBody(snapshot()));
    case '/cluster/members':
    case '/cluster/members/':
      return json(clusterMembersBody(snapshot()));
    default:
      if (path.startsWith('/cluster/members/')) return memberReply(snapshot(), path.slice('/cluster/members/'.length));
      return text(404, 'The requested resource could not be found.');
  }
}
