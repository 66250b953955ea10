// IPv4 addresses and ranges as numbers (pure): parsing, formatting, overlap. The pod network's range, the host
// routes it is checked against and the pod addresses handed out all go through here.

export class CidrError extends Error {
  readonly code = 'BAD_CIDR';
  constructor(message: string) {
    super(message);
    this.name = 'CidrError';
  }
}

export interface Cidr {
  /** the network address as an unsigned 32-bit number */
  base: number;
  /** prefix length, 0..32 */
  bits: number;
}

/** The address as a number, or undefined when `s` is not a dotted IPv4 address. */
export function parseIp(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Number of addresses in the range (2^(32-bits)). */
export function size(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

/** `a.b.c.d/n`, or a bare address (/32). Throws CidrError when malformed or when host bits are set. */
export function parseCidr(s: string): Cidr {
  const [addr = '', len, ...rest] = s.split('/');
  const base = parseIp(addr);
  const bits = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : -1;
  if (base === undefined || rest.length || bits < 0 || bits > 32) {
    throw new CidrError(`"${s}" is not an IPv4 range like 198.18.0.0/16`);
  }
  if (base % size({ base, bits }) !== 0) {
    const aligned = base - (base % size({ base, bits }));
    throw new CidrError(`"${s}" has host bits set; the range it names is ${formatIp(aligned)}/${bits}`);
  }
  return { base, bits };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.bits}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + size(c);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}
