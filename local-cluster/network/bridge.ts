// The host side of the pod network, made by `up` and removed by `down`: one bridge holding the range's first
// address, with forwarding off, after checking that the range overlaps no route of the machine. When the machine
// will not let us (not root, no bridge or veth support), `up` falls back to loopback pod IPs and says why.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isAlive } from '../procs.ts';
import { readState } from '../state.ts';
import { parseCidr } from './cidr.ts';
import { IpCommandError, ipBatch, ipJson } from './ip-cmd.ts';
import { freeSlash24, type HostRoute, macFor, type NetnsNetwork, overlappingRoutes } from './plan.ts';
import { removeAllPodNetns } from './pod-netns.ts';
import { ownerFacts, stoppedBecause } from './stale.ts';

export class PodNetworkConflictError extends Error {
  readonly code = 'POD_NETWORK_CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'PodNetworkConflictError';
  }
}

interface Link {
  ifname: string;
  ifalias?: string;
}

/** What a bridge's alias says: the folder of the cluster that made it. */
const ALIAS = 'pbo-local-cluster:';
const aliasOf = (dir: string) => `${ALIAS}${dir}`;
const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

async function links(): Promise<Link[]> {
  return ipJson<Link>(['link', 'show']);
}

async function routes(): Promise<HostRoute[]> {
  return ipJson<HostRoute>(['-4', 'route', 'show', 'table', 'all']);
}

/**
 * Removes the networks of stopped local clusters whose bridges overlap the range (see stale.ts); returns one line
 * per cluster removed, for `up`'s output.
 */
async function reclaimStopped(net: NetnsNetwork): Promise<string[]> {
  const clash = overlappingRoutes(parseCidr(net.cidr), await routes());
  if (clash.length === 0) return [];
  const done: string[] = [];
  for (const l of await links()) {
    if (!clash.some((r) => r.dev === l.ifname) || !l.ifalias?.startsWith(ALIAS)) continue;
    const dir = l.ifalias.slice(ALIAS.length);
    const why = stoppedBecause(
      ownerFacts(dir, (f) => readState(f)?.processes),
      isAlive,
    );
    if (!why || !l.ifname.endsWith('br')) continue;
    const r = await removeClusterNetwork({ tag: l.ifname.slice(0, -2), bridge: l.ifname }, dir);
    if (!r.skipped)
      done.push(
        `removed the pod network left by the stopped cluster in ${dir} (${why}): ${l.ifname}, ${r.namespaces} namespaces, ${r.links} interfaces`,
      );
  }
  return done;
}

/** Throws PodNetworkConflictError naming what overlaps the range and how to choose another. */
async function checkFree(net: NetnsNetwork, ignoreDev?: string): Promise<void> {
  const all = await routes();
  const clash = overlappingRoutes(parseCidr(net.cidr), all).filter((r) => r.dev !== ignoreDev);
  if (clash.length === 0) return;
  const byDev = new Map((await links()).map((l) => [l.ifname, l.ifalias ?? '']));
  const firstPerDev = clash.filter((r, i) => clash.findIndex((x) => x.dev === r.dev) === i);
  const what = firstPerDev
    .slice(0, 3)
    .map((r) => {
      const owner = byDev.get(r.dev ?? '')?.replace(/^pbo-local-cluster:/, '');
      const other = byDev.get(r.dev ?? '')?.startsWith('pbo-local-cluster:') ? ` (the local cluster in ${owner})` : '';
      return `${r.dst} on ${r.dev ?? '?'}${other}`;
    })
    .join(', ');
  const free = freeSlash24(all);
  throw new PodNetworkConflictError(
    `pod range ${net.cidr} overlaps ${what}. Set CLUSTER_POD_CIDR (or --pod-cidr) to a free range` +
      `${free ? `, e.g. CLUSTER_POD_CIDR=${free}` : ''}, or give this cluster its own CLUSTER_POD_IP_PREFIX=127.N` +
      ' (see docs/local-cluster.md, "Pod network")',
  );
}

/** Why network namespaces cannot be used here, or undefined when they can (made and removed a probe pair). */
async function probe(net: NetnsNetwork): Promise<string | undefined> {
  const ns = `${net.tag}-probe`;
  const veth = `${net.tag}vprobe`;
  try {
    await ipBatch([`netns add ${ns}`, `link add ${veth} type veth peer name eth0 netns ${ns}`]);
    const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, '--', 'true'], { stdio: 'ignore' });
    if (r.status !== 0) return `nsenter cannot enter a network namespace (${r.error?.message ?? `exit ${r.status}`})`;
    return undefined;
  } catch (err) {
    return `cannot make a network namespace and veth: ${reasonOf(err)}`;
  } finally {
    await ipBatch([`link del ${veth}`, `netns del ${ns}`], { force: true });
  }
}

const reasonOf = (err: unknown) => (err instanceof IpCommandError ? err.reason : (err as Error).message);

function sysctl(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // IPv6 may be compiled out; forwarding is off by default anyway
  }
}

/**
 * Makes the bridge for `net` after removing this cluster's leftovers. Returns undefined when ready, or the reason
 * network namespaces cannot be used (the caller falls back to loopback). Throws PodNetworkConflictError when the
 * range overlaps a route of the machine (another running cluster's bridge included; a stopped one's is removed).
 */
export async function setupBridge(
  net: NetnsNetwork,
  dir: string,
  note: (line: string) => void = () => {},
): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    await removeClusterNetwork(net, dir);
  } catch (err) {
    if (err instanceof IpCommandError) return `cannot list the machine's interfaces: ${err.reason}`;
    throw err;
  }
  for (const line of await reclaimStopped(net)) note(line);
  await checkFree(net);
  const cidr = parseCidr(net.cidr);
  try {
    await ipBatch([
      `link add ${net.bridge} address ${macFor(net.hostIp)} type bridge`,
      `link set ${net.bridge} alias ${quote(aliasOf(dir))}`,
      `link set ${net.bridge} addrgenmode none`,
      `addr add ${net.hostIp}/${cidr.bits} dev ${net.bridge}`,
      `link set ${net.bridge} up`,
    ]);
  } catch (err) {
    await ipBatch([`link del ${net.bridge}`], { force: true });
    return `cannot make bridge ${net.bridge}: ${reasonOf(err)}`;
  }
  // nothing a pod sends is routed on, whatever the machine's global setting; no IPv6 on the bridge either
  sysctl(`/proc/sys/net/ipv4/conf/${net.bridge}/forwarding`, '0');
  sysctl(`/proc/sys/net/ipv6/conf/${net.bridge}/disable_ipv6`, '1');
  try {
    await checkFree(net, net.bridge); // another `up` may have taken an overlapping range meanwhile
  } catch (err) {
    await ipBatch([`link del ${net.bridge}`], { force: true });
    throw err;
  }
  const why = await probe(net);
  if (why) await ipBatch([`link del ${net.bridge}`], { force: true });
  return why;
}

/**
 * Removes every network namespace and interface whose name starts with the cluster's tag (veths, the bridge),
 * whether or not any process still uses them. A bridge of that name made for another folder (a hash clash) is left
 * alone, with everything of its tag. Returns what was removed, for the log.
 */
export async function removeClusterNetwork(net: Pick<NetnsNetwork, 'tag' | 'bridge'>, dir: string) {
  const all = await links();
  const bridge = all.find((l) => l.ifname === net.bridge);
  if (bridge?.ifalias && bridge.ifalias !== aliasOf(dir)) {
    return { namespaces: 0, links: 0, skipped: `bridge ${net.bridge} belongs to ${bridge.ifalias}: left alone` };
  }
  const namespaces = await removeAllPodNetns(net);
  const ours = (await links()).map((l) => l.ifname).filter((n) => n.startsWith(net.tag));
  await ipBatch(
    ours.map((n) => `link del ${n}`),
    { force: true },
  );
  return { namespaces, links: ours.length, skipped: undefined };
}
