// The JSON of Pekko Management's /bootstrap/seed-nodes and /cluster/members, and the one defensive parser for both.
// The agent serves these bodies and the operator reads them from real Pekko nodes and agents alike, so parsing never
// throws: it returns the value or a message that says what was wrong (not JSON, an HTML error page, a field of the
// wrong type, too large).
//
// nodeUid is a 64-bit integer (a JVM Long). /bootstrap/seed-nodes writes it as a JSON NUMBER, /cluster/members as a
// STRING. JavaScript numbers lose precision above 2^53, so the parser reads the number's source text (JSON.parse
// reviver context, Node >= 21) and keeps every uid as a canonical decimal string in memory; formatSeedNodes writes
// it back as a raw JSON number (JSON.rawJSON, Node >= 21).
import { type Parsed, parseNodeAddress } from './address.ts';

export type { Parsed } from './address.ts';

/** Member statuses Pekko reports. */
export const MEMBER_STATUSES = [
  'Joining',
  'WeaklyUp',
  'Up',
  'Leaving',
  'Exiting',
  'Down',
  'Removed',
  'PreparingForShutdown',
  'ReadyForShutdown',
] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** Statuses a node may report in seedNodes (Pekko: reachable members that are Up, WeaklyUp or Joining). */
export const SEED_STATUSES: readonly MemberStatus[] = ['Up', 'WeaklyUp', 'Joining'];
/** Statuses for which /ready answers 200. */
export const READY_STATUSES: readonly MemberStatus[] = ['Up', 'WeaklyUp'];
/** Pekko exposes at most this many seed nodes. */
export const MAX_SEED_NODES = 5;
/** The role every member of the default data center carries. */
export const DC_DEFAULT_ROLE = 'dc-default';
/** Bodies larger than this are refused (callers should also cap what they read). */
export const MAX_BODY_CHARS = 1024 * 1024;

export interface ClusterMember {
  node: string;
  /** Decimal string of a signed 64-bit integer. */
  nodeUid: string;
  status: MemberStatus | string;
  roles: string[];
}

/** GET /bootstrap/seed-nodes. `seedNodes` is empty before the node has joined. */
export interface SeedNodes {
  selfNode: string;
  seedNodes: ClusterMember[];
}

export interface UnreachableMember {
  node: string;
  observedBy: string[];
}

/** GET /cluster/members. `leader` and `oldest` are absent when unknown. */
export interface ClusterMembers {
  selfNode: string;
  members: ClusterMember[];
  unreachable: UnreachableMember[];
  leader?: string;
  oldest?: string;
  oldestPerRole: Record<string, string>;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Canonical decimal form of a 64-bit integer given as text, or undefined when it is not one. */
export function canonicalUid(text: string): string | undefined {
  if (!/^-?\d{1,20}$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n.toString();
}

type ReviverContext = { source?: string };
type Reviver = (this: unknown, key: string, value: unknown, context?: ReviverContext) => unknown;
const parseJson = JSON.parse as (text: string, reviver: Reviver) => unknown;
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** Marks numbers whose exact source text was kept (only nodeUid fields, where precision matters). */
class NumberSource {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

function readJson(body: unknown): Parsed<unknown> {
  if (typeof body !== 'string') return { ok: false, error: `body is not text: ${typeof body}` };
  if (body.length > MAX_BODY_CHARS) return { ok: false, error: `body is larger than ${MAX_BODY_CHARS} characters` };
  try {
    const value = parseJson(body, (key, value, context) => {
      if (key === 'nodeUid' && typeof value === 'number' && context?.source !== undefined) {
        return new NumberSource(context.source);
      }
      return value;
    });
    return { ok: true, value };
  } catch (err) {
    const head = body.trimStart().slice(0, 60).replace(/\s+/g, ' ');
    const hint = head.startsWith('<') ? ' (looks like HTML)' : body.trim() === '' ? ' (empty body)' : '';
    return { ok: false, error: `body is not JSON${hint}: ${(err as Error).message}` };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readAddress(v: unknown, where: string): Parsed<string> {
  const p = parseNodeAddress(v);
  return p.ok ? { ok: true, value: v as string } : { ok: false, error: `${where}: ${p.error}` };
}

function readUid(v: unknown, where: string): Parsed<string> {
  let text: string | undefined;
  if (v instanceof NumberSource) text = v.text;
  else if (typeof v === 'string') text = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) text = String(v);
  const uid = text === undefined ? undefined : canonicalUid(text);
  if (uid === undefined) return { ok: false, error: `${where}.nodeUid is not a 64-bit integer` };
  return { ok: true, value: uid };
}

function readStrings(v: unknown, where: string): Parsed<string[]> {
  if (v === undefined) return { ok: true, value: [] };
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    return { ok: false, error: `${where} is not an array of strings` };
  }
  return { ok: true, value: v as string[] };
}

function readMember(v: unknown, where: string): Parsed<ClusterMember> {
  if (!isObject(v)) return { ok: false, error: `${where} is not an object` };
  const node = readAddress(v.node, `${where}.node`);
  if (!node.ok) return node;
  const uid = readUid(v.nodeUid, where);
  if (!uid.ok) return uid;
  if (typeof v.status !== 'string') return { ok: false, error: `${where}.status is not a string` };
  const roles = readStrings(v.roles, `${where}.roles`);
  if (!roles.ok) return roles;
  return { ok: true, value: { node: node.value, nodeUid: uid.value, status: v.status, roles: roles.value } };
}

function readMembers(v: unknown, where: string): Parsed<ClusterMember[]> {
  if (!Array.isArray(v)) return { ok: false, error: `${where} is not an array` };
  const out: ClusterMember[] = [];
  for (const [i, item] of v.entries()) {
    const m = readMember(item, `${where}[${i}]`);
    if (!m.ok) return m;
    out.push(m.value);
  }
  return { ok: true, value: out };
}

/** Parses a /bootstrap/seed-nodes body. Never throws. Extra fields are ignored. */
export function parseSeedNodes(body: unknown): Parsed<SeedNodes> {
  const json = readJson(body);
  if (!json.ok) return json;
  const v = json.value;
  if (!isObject(v)) return { ok: false, error: 'seed-nodes answer is not a JSON object' };
  const self = readAddress(v.selfNode, 'selfNode');
  if (!self.ok) return self;
  const seeds = readMembers(v.seedNodes, 'seedNodes');
  if (!seeds.ok) return seeds;
  return { ok: true, value: { selfNode: self.value, seedNodes: seeds.value } };
}

/** Parses a /cluster/members body. Never throws. Extra fields are ignored. */
export function parseClusterMembers(body: unknown): Parsed<ClusterMembers> {
  const json = readJson(body);
  if (!json.ok) return json;
  const v = json.value;
  if (!isObject(v)) return { ok: false, error: 'cluster members answer is not a JSON object' };
  const self = readAddress(v.selfNode, 'selfNode');
  if (!self.ok) return self;
  const members = readMembers(v.members, 'members');
  if (!members.ok) return members;
  const unreachable: UnreachableMember[] = [];
  if (v.unreachable !== undefined) {
    if (!Array.isArray(v.unreachable)) return { ok: false, error: 'unreachable is not an array' };
    for (const [i, u] of v.unreachable.entries()) {
      if (!isObject(u)) return { ok: false, error: `unreachable[${i}] is not an object` };
      const node = readAddress(u.node, `unreachable[${i}].node`);
      if (!node.ok) return node;
      const by = readStrings(u.observedBy, `unreachable[${i}].observedBy`);
      if (!by.ok) return by;
      unreachable.push({ node: node.value, observedBy: by.value });
    }
  }
  const out: ClusterMembers = { selfNode: self.value, members: members.value, unreachable, oldestPerRole: {} };
  for (const key of ['leader', 'oldest'] as const) {
    if (v[key] === undefined || v[key] === null) continue;
    const a = readAddress(v[key], key);
    if (!a.ok) return a;
    out[key] = a.value;
  }
  if (v.oldestPerRole !== undefined) {
    if (!isObject(v.oldestPerRole)) return { ok: false, error: 'oldestPerRole is not an object' };
    for (const [role, node] of Object.entries(v.oldestPerRole)) {
      if (typeof node !== 'string') return { ok: false, error: `oldestPerRole.${role} is not a string` };
      out.oldestPerRole[role] = node;
    }
  }
  return { ok: true, value: out };
}

// Real Pekko (spray-json) writes object keys in alphabetical order; the formatters do the same, so the agent's
// answers are byte-identical in form to a Pekko node's (testdata/pekko-1.1).
const member = (m: ClusterMember) => ({ node: m.node, nodeUid: m.nodeUid, roles: m.roles, status: m.status });

/** The /bootstrap/seed-nodes body, nodeUid as a raw JSON number with every digit kept. */
export function formatSeedNodes(s: SeedNodes): string {
  return JSON.stringify({
    seedNodes: s.seedNodes.map((m) => ({ ...member(m), nodeUid: rawJson(canonicalUid(m.nodeUid) ?? '0') })),
    selfNode: s.selfNode,
  });
}

/** The /cluster/members body, nodeUid as a string; leader and oldest left out when unknown. */
export function formatClusterMembers(c: ClusterMembers): string {
  return JSON.stringify({
    ...(c.leader === undefined ? {} : { leader: c.leader }),
    members: c.members.map(member),
    ...(c.oldest === undefined ? {} : { oldest: c.oldest }),
    oldestPerRole: c.oldestPerRole,
    selfNode: c.selfNode,
    unreachable: c.unreachable.map((u) => ({ node: u.node, observedBy: u.observedBy })),
  });
}

/** Pekko's /ready body when the node is not an Up or WeaklyUp member (with status 500). */
export const NOT_READY_BODY =
  'Not Healthy: Check [org.apache.pekko.management.cluster.scaladsl.ClusterMembershipCheck] not ok';
