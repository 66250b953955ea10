// What a healthy Pekko node of a formed cluster answers on /bootstrap/seed-nodes and /cluster/members, for every pod
// of one ClusterBootstrap: every registered pod is an Up member, in the forms of core/protocol (the same bytes a
// Pekko 1.1 node writes, core/protocol/testdata/pekko-1.1). Pure: pods in, bodies out.
import { createHash } from 'node:crypto';
import {
  type ClusterMember,
  compareNodeAddressStrings,
  DC_DEFAULT_ROLE,
  formatClusterMembers,
  formatSeedNodes,
  lowestContactPoint,
  MAX_SEED_NODES,
  nodeAddress,
} from '../../core/protocol/index.ts';

/** One pod the responder answers for. */
export interface PodAddress {
  ip: string;
  /** the management port (spec.management.port) */
  port: number;
  /** the pod's ClusterBootstrap, `namespace/name`: pods of one cluster answer alike */
  cluster: string;
  /** the actor system name (the pod's `actorSystemName` label) */
  system: string;
  remotingPort: number;
}

export interface Answers {
  /** pod IP → the bodies of that node's two endpoints */
  byIp: Map<string, { seedNodes: string; members: string }>;
  /** the node the cluster formed around (`oldest`): what the operator should report as status.seedNode */
  oldest: string;
  members: string[];
}

/** A stable 64-bit uid per node, as a signed decimal string (Pekko's nodeUid is a JVM Long). */
export function nodeUid(node: string): string {
  return BigInt.asIntN(64, createHash('sha256').update(node).digest().readBigUInt64BE(0)).toString();
}

/** The answers of every pod of one cluster; undefined for no pods. */
export function clusterAnswers(pods: readonly PodAddress[]): Answers | undefined {
  if (pods.length === 0) return undefined;
  const points = pods.map((p) => ({
    host: p.ip,
    port: p.remotingPort,
    address: p.ip,
    node: nodeAddress(p.system, p.ip, p.remotingPort),
  }));
  // Pekko lists members in address order (host as a string); the cluster forms around the lowest contact point
  // (IP bytes), which stays the oldest member.
  const nodes = points.map((p) => p.node).sort(compareNodeAddressStrings);
  const oldest = (lowestContactPoint(points) as (typeof points)[number]).node;
  const members: ClusterMember[] = nodes.map((node) => ({
    node,
    nodeUid: nodeUid(node),
    roles: [DC_DEFAULT_ROLE],
    status: 'Up',
  }));
  const byIp = new Map<string, { seedNodes: string; members: string }>();
  for (const { host, node: selfNode } of points) {
    byIp.set(host, {
      seedNodes: formatSeedNodes({ selfNode, seedNodes: members.slice(0, MAX_SEED_NODES) }),
      members: formatClusterMembers({
        selfNode,
        members,
        unreachable: [],
        leader: nodes[0] as string,
        oldest,
        oldestPerRole: { [DC_DEFAULT_ROLE]: oldest },
      }),
    });
  }
  return { byIp, oldest, members: nodes };
}
