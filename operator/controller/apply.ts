// Applying one child: never touch an object this operator does not manage, skip the call when the live object is
// already as desired, otherwise server-side apply with force (the operator owns these fields; force takes back a
// field someone edited by hand, which is the drift repair).
//
// "As desired" is decided without a round trip: the live object (from the informer cache) must carry the hash of
// the desired object in an annotation, and must hold every field the desired object sets, compared as server-side
// apply merges them (covers.ts: lists by their keys, quantities by value, other managers' fields ignored). The hash
// catches what a containment check cannot: a field the operator stopped setting. The containment catches hand edits.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { GROUP } from '../../core/api/types.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import type { KubeClient } from '../kube/client.ts';
import { refOf } from '../kube/client.ts';
import { covers } from './covers.ts';

export const APPLIED_HASH_ANNOTATION = `${GROUP}/applied-hash`;

export function contentHash(obj: unknown): string {
  return createHash('sha256').update(canonicalJson(obj)).digest('hex').slice(0, 20);
}

export type EnsureOutcome =
  | { action: 'unchanged' | 'created' | 'updated' | 'repaired' }
  | { action: 'conflict'; message: string };

export interface EnsureInput<T extends KubernetesObject> {
  desired: T;
  /** The object from the informer cache, if there. The cache only holds objects labelled as ours. */
  cached: T | undefined;
  /** For an object not in the cache: what a GET made for this call found (undefined: absent). Not given: ensure GETs. */
  read?: { live: T | undefined };
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
  if (!live) live = input.read ? input.read.live : await client.get<T>(refOf(desired));
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
