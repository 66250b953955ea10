// The pod network of one local cluster, decided at `up` (pure: folder, prefix and range in; names and addresses
// out). Every name the cluster makes on the machine (bridge, veths, network namespaces) starts with its tag, a short
// hash of the cluster's folder, so clusters side by side never share a name and `down` touches only its own.
// See docs/local-cluster.md ("Pod network").
import { createHash } from 'node:crypto';
import { type Cidr, CidrError, contains, formatCidr, formatIp, overlaps, parseCidr, parseIp, size } from './cidr.ts';

/** Each pod in its own network namespace, on a bridge holding the range's first address. */
export interface NetnsNetwork {
  mode: 'netns';
  /** the pod range, e.g. 198.19.25.0/24 */
  cidr: string;
  /** the range's first address, held by the host on the bridge: the API server and the kubelet's address for pods */
  hostIp: string;
  /** prefix of every interface and namespace name of this cluster: `pbo` and 6 hex digits of the folder's hash */
  tag: string;
  bridge: string;
}

/** Today's fallback: every pod on its own loopback address in the host's network namespace. */
export interface LoopbackNetwork {
  mode: 'loopback';
  /** pod IPs are <prefix>.A.B */
  prefix: string;
  /** why the cluster is not using network namespaces */
  reason: string;
}

export type PodNetwork = NetnsNetwork | LoopbackNetwork;

/** The range used when none is given: 198.18.0.0/16 for the default prefix 127.1, else 198.19.N.0/24 for 127.N. */
export function defaultPodCidr(podIpPrefix: string): string {
  const n = Number(podIpPrefix.split('.')[1]);
  return n === 1 ? '198.18.0.0/16' : `198.19.${n}.0/24`;
}

/** Validates a pod range: IPv4, /16 (65533 pods) to /28 (13 pods), not loopback, multicast or 0/8. */
export function validatePodCidr(s: string): Cidr {
  const c = parseCidr(s);
  if (c.bits < 16 || c.bits > 28) {
    throw new CidrError(`pod range ${s}: the prefix length must be 16..28 (65533 to 13 pods), got /${c.bits}`);
  }
  const first = c.base >>> 24;
  if (first === 0 || first === 127 || first >= 224) {
    throw new CidrError(`pod range ${s} is not usable (0/8, loopback, multicast and reserved ranges are not)`);
  }
  return c;
}

/** `pbo` and the first 6 hex digits of sha256(folder): 9 characters, leaving 6 for the rest of a 15-char name. */
export function clusterTag(dir: string): string {
  return `pbo${createHash('sha256').update(dir).digest('hex').slice(0, 6)}`;
}

export function netnsPlan(dir: string, cidr: Cidr): NetnsNetwork {
  const tag = clusterTag(dir);
  return { mode: 'netns', cidr: formatCidr(cidr), hostIp: formatIp(cidr.base + 1), tag, bridge: `${tag}br` };
}

/** The host-side veth of the pod at `index` in the range (at most 9 + 1 + 4 = 14 characters). */
export function vethName(tag: string, index: number): string {
  return `${tag}v${index.toString(16)}`;
}

/** The network namespace of the pod with address `ip` (`ip netns exec <name> ...`). */
export function netnsName(tag: string, ip: string): string {
  return `${tag}-${ip}`;
}

/** A fixed MAC for an address (0a:58 and the address, as Kubernetes' bridge plugin does): a pod that gets a freed
 * address, or a bridge made again, keeps the MAC every neighbour cache already holds for it. */
export function macFor(ip: string): string {
  const v = parseIp(ip) ?? 0;
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return ['0a', '58', hex(v >>> 24), hex((v >>> 16) & 255), hex((v >>> 8) & 255), hex(v & 255)].join(':');
}

/** Pod addresses of a network: index i (0..size-1) to address and back. */
export interface PodIpRange {
  readonly size: number;
  addr(i: number): string;
  /** the index of `ip`, or undefined when it is not a pod address of this range */
  index(ip: string): number | undefined;
  describe: string;
}

/** netns: every address but the network address, the host's first address and the broadcast address. */
function cidrRange(cidr: Cidr): PodIpRange {
  const first = cidr.base + 2;
  const n = size(cidr) - 3;
  return {
    size: n,
    addr: (i) => formatIp(first + i),
    index: (ip) => {
      const v = parseIp(ip);
      return v !== undefined && v >= first && v < first + n ? v - first : undefined;
    },
    describe: formatCidr(cidr),
  };
}

/** loopback: <prefix>.A.B with A 0..255 and B 1..254 (every 127/8 address reaches `lo`). */
function loopbackRange(prefix: string): PodIpRange {
  return {
    size: 256 * 254,
    addr: (i) => `${prefix}.${Math.floor(i / 254)}.${(i % 254) + 1}`,
    index: (ip) => {
      if (!ip.startsWith(`${prefix}.`)) return undefined;
      const parts = ip.slice(prefix.length + 1).split('.');
      if (parts.length !== 2 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
      const [a, b] = parts.map(Number) as [number, number];
      return a < 256 && b >= 1 && b <= 254 ? a * 254 + b - 1 : undefined;
    },
    describe: `${prefix}.0.0/16`,
  };
}

export function podIpRange(net: PodNetwork): PodIpRange {
  return net.mode === 'netns' ? cidrRange(parseCidr(net.cidr)) : loopbackRange(net.prefix);
}

/** A route of the host (any table) as `ip -j route` shows it. */
export interface HostRoute {
  dst: string;
  dev?: string;
  table?: string;
}

/** The host routes whose destination overlaps `cidr` (default routes excluded: they cover everything). */
export function overlappingRoutes(cidr: Cidr, routes: readonly HostRoute[]): HostRoute[] {
  return routes.filter((r) => {
    if (r.dst === 'default') return false;
    try {
      return overlaps(cidr, parseCidr(r.dst));
    } catch {
      return false; // an address family or form we do not parse (the caller asks for IPv4 only)
    }
  });
}

/** A free /24 in 198.19.0.0/16, from the top down (derived ranges take the low ones), or undefined. */
export function freeSlash24(routes: readonly HostRoute[]): string | undefined {
  for (let n = 254; n >= 1; n--) {
    const c = { base: (parseIp('198.19.0.0') as number) + n * 256, bits: 24 };
    if (overlappingRoutes(c, routes).length === 0) return formatCidr(c);
  }
  return undefined;
}

/** True when `ip` lies in the network's range (the host's address included). */
export function inRange(net: NetnsNetwork, ip: string): boolean {
  const v = parseIp(ip);
  return v !== undefined && contains(parseCidr(net.cidr), v);
}
