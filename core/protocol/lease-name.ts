// The name Pekko's Kubernetes lease gives its Lease object (pekko-lease-kubernetes, AbstractKubernetesLease's
// makeDNS1039Compatible): NFKD-normalised, lower-cased, `_` and `.` turned into `-`, everything but `[-a-z0-9]`
// dropped, at most 63 characters, no `-` at either end. Pekko Management 1.x truncates long names to 63 characters
// and nothing more, so two long names can collide; 2.0 (`on-truncate-add-hash-length = 8`) ends a truncated name with
// `-` and the first 8 characters of the SHA-256 of the original name, base32-encoded in lower case.
//
// The operator hands Pekko a name this function returned. Such a name is its own result under every version's rule
// (already normalised and short enough), so the Lease the operator creates is the one every Pekko version uses.
// docs/split-brain.md ("The lease name") has the checks against the real jar.
import { createHash } from 'node:crypto';

/** Kubernetes' limit for a DNS-1039 label, which Pekko keeps lease names within. */
export const LEASE_NAME_MAX = 63;
/** Pekko 2.0's `on-truncate-add-hash-length` default. */
export const LEASE_NAME_HASH = 8;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 with a lower-case alphabet and no `=` padding (Pekko's base32Encode). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 0x1f];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 0x1f];
  return out;
}

const trimDashes = (s: string) => s.replace(/^-+/, '').replace(/-+$/, '');

/**
 * Pekko's makeDNS1039Compatible(name, maxLength, hashLength). hashLength 0 is Pekko Management 1.x; the default, 8,
 * is 2.0's. The hash is taken of the original name, not the normalised one.
 */
export function pekkoLeaseName(name: string, maxLength = LEASE_NAME_MAX, hashLength = LEASE_NAME_HASH): string {
  const normalized = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[_.]/g, '-')
    .replace(/[^-a-z0-9]/g, '');
  if (normalized.length <= maxLength || hashLength <= 0) return trimDashes(normalized.slice(0, maxLength));
  const hash = base32(createHash('sha256').update(name, 'utf8').digest()).slice(0, Math.min(hashLength, maxLength));
  if (hash.length >= maxLength - 1) return hash.slice(0, maxLength);
  return `${trimDashes(normalized.slice(0, maxLength - hash.length - 1))}-${hash}`;
}

/** The name Pekko's split brain resolver uses when none is configured: `<actor system name>-pekko-sbr`. */
export const sbrLeaseName = (base: string) => pekkoLeaseName(`${base}-pekko-sbr`);
