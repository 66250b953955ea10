// Network partitions between pods of the local cluster, for tests: `partition(groupA, groupB)` cuts every TCP/IP
// packet between the two groups, both ways, and `heal()` restores it. A cut is a silent drop (nothing is refused,
// as in a real partition): in each pod's network namespace, packets to the other group's addresses are routed into
// a veth whose other end is down, which discards them without a word. The host (the operator, the kubelet's probes, the test itself) still reaches
// every pod. With `apiServer`, a group is also cut off from the API server: its requests vanish the same way and
// the API server's answers are dropped on arrival. Each cut is recorded in <cluster>/partitions/<pref>.json with the
// process that made it; a cut whose process died is healed by the next partition() or heal(), and `cluster-down`
// removes the namespaces altogether. See docs/local-cluster.md ("Partitions").
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { ipBatch, ipJson } from '../../local-cluster/network/ip-cmd.ts';
import type { NetnsNetwork, PodNetwork } from '../../local-cluster/network/plan.ts';
import { type PodNetRecord, readPodNet } from '../../local-cluster/network/pod-netns.ts';
import { isAlive, procStartTime } from '../../local-cluster/procs.ts';
import { clients, clusterLayout, clusterState } from './cluster.ts';

export class PartitionError extends Error {
  readonly code = 'PARTITION';
  constructor(message: string) {
    super(message);
    this.name = 'PartitionError';
  }
}

/** A pod, as read from the API or named. */
export type PodLike = V1Pod | { namespace: string; name: string };

export interface PartitionOptions {
  /** also cut this side (or both) off from the API server */
  apiServer?: 'a' | 'b' | 'both';
}

export interface Partition {
  /** the rule priority of this cut in every pod namespace it touched */
  readonly pref: number;
  /** restores what this cut removed (idempotent) */
  heal(): Promise<void>;
}

interface CutRecord {
  pref: number;
  owner: { pid: number; startTime: string };
  /** per namespace, how many rules this cut added there */
  rules: Record<string, number>;
}

/** Where packets go to vanish: a route table whose default route is a veth with its peer down and no ARP. */
const DROP_TABLE = 4747;
const DROP_LINK = 'pbodrop';
/** the `lookup local` rule moves here (from 0) so that the drop rules come first for arriving packets */
const LOCAL_PREF = 32000;
const FIRST_PREF = 1000;
const LAST_PREF = 29999;

/** The cluster's pod network (state.json); loopback for a cluster started before network namespaces. */
export function podNetwork(): PodNetwork {
  const st = clusterState();
  return st.network ?? { mode: 'loopback', prefix: st.podIpPrefix, reason: 'started by an older cli.ts' };
}

function netnsNetwork(): NetnsNetwork {
  const net = podNetwork();
  if (net.mode !== 'netns') {
    throw new PartitionError(
      `partitions need pods in network namespaces; this cluster uses ${net.mode} (${net.reason})`,
    );
  }
  return net;
}

/** The pod's network namespace and address, from what the kubelet recorded for the pod's uid. */
export async function podNetns(p: PodLike): Promise<PodNetRecord> {
  const ref =
    'namespace' in p && 'name' in p
      ? { namespace: p.namespace, name: p.name }
      : { namespace: (p as V1Pod).metadata?.namespace ?? '', name: (p as V1Pod).metadata?.name ?? '' };
  const pod = await clients().core.readNamespacedPod(ref);
  const rec = readPodNet(clusterLayout().pods, pod.metadata?.uid ?? '');
  if (!rec || rec.ip !== pod.status?.podIP) {
    throw new PartitionError(
      `pod ${ref.namespace}/${ref.name} has no network namespace (yet): it must be Running, not hostNetwork and not status-only`,
    );
  }
  return rec;
}

const recordsDir = () => join(clusterLayout().dir, 'partitions');

function readRecords(): { file: string; rec: CutRecord }[] {
  let files: string[] = [];
  try {
    files = readdirSync(recordsDir()).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    const file = join(recordsDir(), f);
    try {
      return [{ file, rec: JSON.parse(readFileSync(file, 'utf8')) as CutRecord }];
    } catch {
      return []; // being written by its owner
    }
  });
}

/** Takes the lowest free priority by creating its record file exclusively. */
function claim(rules: Record<string, number>): { file: string; rec: CutRecord } {
  mkdirSync(recordsDir(), { recursive: true });
  const owner = { pid: process.pid, startTime: procStartTime(process.pid) ?? '' };
  for (let pref = FIRST_PREF; pref <= LAST_PREF; pref++) {
    const file = join(recordsDir(), `${pref}.json`);
    const rec = { pref, owner, rules };
    try {
      writeFileSync(file, JSON.stringify(rec), { flag: 'wx' });
      return { file, rec };
    } catch {
      // taken
    }
  }
  throw new PartitionError(`no free rule priority left in ${recordsDir()}`);
}

async function healRecord(file: string, rec: CutRecord): Promise<void> {
  await Promise.all(
    Object.entries(rec.rules).map(([netns, n]) =>
      ipBatch(
        Array.from({ length: n }, () => `rule del pref ${rec.pref}`),
        { netns, force: true }, // a namespace already gone (its pod was deleted) took its rules along
      ),
    ),
  );
  rmSync(file, { force: true });
}

/** Heals the cuts of processes that died without healing them. */
async function healOrphans(): Promise<void> {
  for (const { file, rec } of readRecords()) if (!isAlive(rec.owner)) await healRecord(file, rec);
}

/** The drop route, and for API cuts the `lookup local` rule moved behind the drop rules (idempotent). */
async function prepare(netns: string, forApi: boolean): Promise<void> {
  const lines = [
    `link add ${DROP_LINK} type veth peer name ${DROP_LINK}0`,
    `link set ${DROP_LINK} arp off up`,
    `route add default dev ${DROP_LINK} table ${DROP_TABLE}`,
  ];
  if (forApi) {
    const rules = await ipJson<{ priority: number; table?: string }>(['rule', 'show'], netns);
    if (rules.some((r) => r.priority === 0 && r.table === 'local')) {
      lines.push(`rule add pref ${LOCAL_PREF} lookup local`, 'rule del pref 0');
    }
  }
  await ipBatch(lines, { netns, force: true });
}

/**
 * Cuts all traffic between `groupA` and `groupB`, both ways, until heal. Pods must be Running in network
 * namespaces. Returns the cut; `heal()` (module level) heals every cut this process made.
 */
export async function partition(groupA: PodLike[], groupB: PodLike[], opts: PartitionOptions = {}): Promise<Partition> {
  const net = netnsNetwork();
  await healOrphans();
  const [a, b] = await Promise.all([Promise.all(groupA.map(podNetns)), Promise.all(groupB.map(podNetns))]);
  const apiPort = clusterState().ports.apiserver;
  const cutApi = new Set([
    ...(opts.apiServer === 'a' || opts.apiServer === 'both' ? a : []),
    ...(opts.apiServer === 'b' || opts.apiServer === 'both' ? b : []),
  ]);
  const plan = new Map<string, string[]>();
  const add = (ns: string, rule: string) => plan.set(ns, [...(plan.get(ns) ?? []), rule]);
  for (const x of a) for (const y of b) add(x.netns, `to ${y.ip} lookup ${DROP_TABLE}`);
  for (const y of b) for (const x of a) add(y.netns, `to ${x.ip} lookup ${DROP_TABLE}`);
  for (const x of cutApi) {
    add(x.netns, `to ${net.hostIp} ipproto tcp dport ${apiPort} lookup ${DROP_TABLE}`);
    add(x.netns, `from ${net.hostIp} iif eth0 ipproto tcp sport ${apiPort} blackhole`);
  }
  const { file, rec } = claim(Object.fromEntries([...plan].map(([ns, rules]) => [ns, rules.length])));
  try {
    await Promise.all(
      [...plan].map(async ([ns, rules]) => {
        await prepare(
          ns,
          [...cutApi].some((x) => x.netns === ns),
        );
        await ipBatch(
          rules.map((r) => `rule add pref ${rec.pref} ${r}`),
          { netns: ns },
        );
      }),
    );
  } catch (err) {
    await healRecord(file, rec);
    throw err;
  }
  let healed = false;
  return {
    pref: rec.pref,
    heal: async () => {
      if (healed) return;
      healed = true;
      await healRecord(file, rec);
    },
  };
}

/** Heals every cut this process made, and those of processes that died. */
export async function heal(): Promise<void> {
  for (const { file, rec } of readRecords()) {
    if (rec.owner.pid === process.pid || !isAlive(rec.owner)) await healRecord(file, rec);
  }
}

/** Runs `fn` with the groups cut apart and heals afterwards, whether `fn` succeeds or throws. */
export async function withPartition<T>(
  groupA: PodLike[],
  groupB: PodLike[],
  fn: (cut: Partition) => Promise<T>,
  opts: PartitionOptions = {},
): Promise<T> {
  const cut = await partition(groupA, groupB, opts);
  try {
    return await fn(cut);
  } finally {
    await cut.heal();
  }
}
