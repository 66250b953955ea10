// Applying one child: never touch an object this operator does not manage, skip the call when the live object is
// already as desired, otherwise server-side apply with force (the operator owns these fields; force takes back a
// field someone edited by hand, which is the drift repair).
//
// "As desired" is decided without a round trip: the live object (from the informer cache) must carry the hash of
// the desired object in an annotation, and must contain every field the desired object sets. The hash catches what
// a containment check cannot: a field the operator stopped setting. The containment catches hand edits.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { GROUP } from '../../core/api/types.ts';
import type { KubeClient } from '../kube/client.ts';
import { refOf } from '../kube/client.ts';

export const APPLIED_HASH_ANNOTATION = `${GROUP}/applied-hash`;

/** JSON with object keys sorted, so equal objects give equal strings. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v instanceof Date ? v.toISOString() : v) ?? 'null';
}

export function contentHash(obj: unknown): string {
  return createHash('sha256').update(canonicalJson(obj)).digest('hex').slice(0, 20);
}

/**
 * True when `live` has every field `desired` sets, with the same value. Extra fields in live (server defaults,
 * other managers' fields) are fine. Lists must have the same length and match element by element. Values the API
 * server drops when it stores them (empty objects and lists, and the zero values of omitempty fields: '', false, 0)
 * match an absent field.
 */
export function covers(live: unknown, desired: unknown): boolean {
  if (desired === undefined || desired === null) return true;
  if (Array.isArray(desired)) {
    if (desired.length === 0) return live === undefined || live === null || (Array.isArray(live) && live.length === 0);
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => covers(live[i], d));
  }
  if (typeof desired === 'object') {
    if (live === undefined || live === null) return Object.keys(desired).length === 0;
    if (typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, d]) => covers(l[k], d));
  }
  if (live === undefined && (desired === '' || desired === false || desired === 0)) return true;
  return live === desired;
}

export type EnsureOutcome =
  | { action: 'unchanged' | 'created' | 'updated' | 'repaired' }
  | { action: 'conflict'; message: string };

export interface EnsureInput<T extends KubernetesObject> {
  desired: T;
  /** The object from the informer cache, if there. The cache only holds objects labelled as ours. */
  cached: T | undefined;
  /** Whether an existing object is this operator's to change. */
  isManaged: (live: T) => boolean;
  /** Counts each apply call (the applies-by-kind metric). */
  onApply?: (kind: string) => void;
}

/** The desired object with its hash annotation: what is actually applied. */
export function withHash<T extends KubernetesObject>(desired: T): T {
  const hash = contentHash(desired);
  const metadata = desired.metadata ?? {};
  return {
    ...desired,
    metadata: { ...metadata, annotations: { ...metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash } },
  };
}

export async function ensure<T extends KubernetesObject>(
  client: KubeClient,
  input: EnsureInput<T>,
): Promise<EnsureOutcome> {
  const { desired, isManaged } = input;
  let live = input.cached;
  // Not in the (label-filtered) cache: it may be absent, just created and not seen yet, or someone else's object.
  if (!live) live = await client.get<T>(refOf(desired));
  if (live && !isManaged(live)) {
    return {
      action: 'conflict',
      message: `${desired.kind} ${desired.metadata?.name} exists and is not managed by pekko-bootstrap-operator; it is left alone`,
    };
  }
  const target = withHash(desired);
  // apiVersion and kind are not compared: a listed object may lack them, and the name already pins the kind.
  if (live && covers(live, { ...target, apiVersion: undefined, kind: undefined })) return { action: 'unchanged' };
  input.onApply?.(desired.kind ?? '');
  await client.apply(target, true);
  if (!live) return { action: 'created' };
  const sameHash =
    live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === target.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
  return { action: sameHash ? 'repaired' : 'updated' };
}
