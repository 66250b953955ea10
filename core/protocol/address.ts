// Pekko node addresses (`pekko://<system>@<host>:<port>`) and the two orders Pekko uses:
//
// 1. Contact points (discovery results) are ordered like Pekko's `ResolvedTarget` ordering: by IP address, then host,
//    then port. The IP address is compared as its raw bytes, byte by byte, where each byte is a JVM `Byte`, i.e.
//    SIGNED: 128..255 count as -128..-1 and sort BEFORE 0..127. So 10.0.0.200 < 10.0.0.7 and 192.168.0.1 < 10.0.0.1.
//    A shorter byte array that is a prefix of a longer one sorts first (IPv4, 4 bytes, before IPv6, 16 bytes, when
//    the first 4 bytes tie); a target without an IP sorts before one with an IP (Scala's None < Some). IPv4-mapped
//    IPv6 addresses (::ffff:a.b.c.d) are 4 bytes, as Java's InetAddress makes them. Hosts compare like Java's
//    String.compareTo (UTF-16 code units), as JavaScript's < does; a missing port sorts first.
//    The lowest contact point is the one that may form a new cluster: agents and the operator must agree with Pekko.
// 2. Cluster members are ordered like Pekko's `Member.addressOrdering`: by host as a STRING, then port. This is the
//    order of `seedNodes` in /bootstrap/seed-nodes. (So 10.0.0.10 sorts before 10.0.0.9 here.)
import { isIPv4, isIPv6 } from 'node:net';

/** A remote node address. `host` holds an IPv6 literal without brackets. */
export interface NodeAddress {
  readonly protocol: string;
  readonly system: string;
  readonly host: string;
  readonly port: number;
}

/** The result of a parser that never throws. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export const DEFAULT_PROTOCOL = 'pekko';
export const DEFAULT_REMOTING_PORT = 17355;
export const DEFAULT_MANAGEMENT_PORT = 7626;

const ADDRESS = /^([a-z][a-z0-9+.-]*):\/\/([^@/:\s]+)@(\[[0-9A-Fa-f:.]+\]|[^@/:[\]\s]+):(\d{1,5})$/;

/** Parses `protocol://system@host:port` (IPv6 hosts in brackets). Local addresses without host:port are rejected. */
export function parseNodeAddress(text: unknown): Parsed<NodeAddress> {
  if (typeof text !== 'string') return { ok: false, error: `node address is not a string: ${typeof text}` };
  if (text.length > 512) return { ok: false, error: 'node address is longer than 512 characters' };
  const m = ADDRESS.exec(text);
  if (!m) return { ok: false, error: `not a node address (protocol://system@host:port): ${JSON.stringify(text)}` };
  const port = Number(m[4]);
  if (port < 1 || port > 65535) return { ok: false, error: `port out of range in ${JSON.stringify(text)}` };
  let host = m[3] as string;
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (!isIPv6(host)) return { ok: false, error: `bad IPv6 host in ${JSON.stringify(text)}` };
  }
  return { ok: true, value: { protocol: m[1] as string, system: m[2] as string, host, port } };
}

/** Formats an address the way Pekko prints it; IPv6 hosts get brackets. */
export function formatNodeAddress(a: NodeAddress): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.protocol}://${a.system}@${host}:${a.port}`;
}

/** The node address of this system at host:port with the default protocol. */
export function nodeAddress(system: string, host: string, port: number): string {
  return formatNodeAddress({ protocol: DEFAULT_PROTOCOL, system, host, port });
}

/**
 * The bytes of an IP literal as Java's InetAddress.getAddress() gives them (unsigned 0..255 here), or undefined
 * when `host` is not an IP literal. IPv4-mapped IPv6 gives 4 bytes, as Java does.
 */
export function ipBytes(host: string): number[] | undefined {
  if (isIPv4(host)) return host.split('.').map(Number);
  if (!isIPv6(host)) return undefined;
  let h = host;
  const zone = h.indexOf('%');
  if (zone >= 0) h = h.slice(0, zone);
  // An embedded IPv4 tail becomes two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (tail) {
    const v4 = (tail[1] as string).split('.').map(Number) as [number, number, number, number];
    h = `${h.slice(0, -(tail[1] as string).length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, rest] = h.includes('::') ? (h.split('::') as [string, string]) : [h, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array.from({ length: fill }, () => '0'), ...right].map((g) => Number.parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

const signed = (b: number): number => (b >= 128 ? b - 256 : b);

/** Compares two IP byte arrays as Pekko does: element-wise as signed bytes, then shorter first. */
export function compareIpBytes(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = signed(a[i] as number) - signed(b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Java's String.compareTo sign: UTF-16 code units, then length. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The parts of a discovered contact point that Pekko's ResolvedTarget ordering looks at. */
export interface ContactPointKey {
  readonly host: string;
  readonly port?: number | undefined;
  /** The IP address behind the host (the pod IP for kubernetes-api discovery); unset when unknown. */
  readonly address?: string | undefined;
}

/** Pekko's ResolvedTarget ordering: (IP bytes as signed bytes, host, port); unset before set. */
export function compareContactPoints(a: ContactPointKey, b: ContactPointKey): number {
  const ia = a.address === undefined ? undefined : ipBytes(a.address);
  const ib = b.address === undefined ? undefined : ipBytes(b.address);
  if (ia === undefined && ib !== undefined) return -1;
  if (ia !== undefined && ib === undefined) return 1;
  if (ia !== undefined && ib !== undefined) {
    const d = compareIpBytes(ia, ib);
    if (d !== 0) return d;
  }
  const h = compareStrings(a.host, b.host);
  if (h !== 0) return h;
  if (a.port === b.port) return 0;
  if (a.port === undefined) return -1;
  if (b.port === undefined) return 1;
  return a.port < b.port ? -1 : 1;
}

/** The lowest contact point in Pekko's order, or undefined for an empty list. */
export function lowestContactPoint<T extends ContactPointKey>(points: readonly T[]): T | undefined {
  let low: T | undefined;
  for (const p of points) if (low === undefined || compareContactPoints(p, low) < 0) low = p;
  return low;
}

/** Pekko's Member.addressOrdering: host as a string, then port. Protocol and system are assumed equal. */
export function compareNodeAddresses(a: NodeAddress, b: NodeAddress): number {
  const h = compareStrings(a.host, b.host);
  if (h !== 0) return h;
  return a.port === b.port ? 0 : a.port < b.port ? -1 : 1;
}

/** compareNodeAddresses on address strings; strings that do not parse sort last, by their text. */
export function compareNodeAddressStrings(a: string, b: string): number {
  const pa = parseNodeAddress(a);
  const pb = parseNodeAddress(b);
  if (pa.ok && pb.ok) return compareNodeAddresses(pa.value, pb.value);
  if (pa.ok) return -1;
  if (pb.ok) return 1;
  return compareStrings(a, b);
}
