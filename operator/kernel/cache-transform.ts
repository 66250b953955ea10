// What the informers keep of each object (controller-runtime's cache transform): managedFields never (the operator
// applies with one field manager and reads no field ownership), and per kind whatever else its row drops
// (operator/controller/kinds.ts: `trim`). Applied to every listed and watched object before the cache stores it, so a
// cached object is smaller, never bigger. Objects are trimmed in place: they come fresh from the API's JSON.
import type { KubernetesObject } from '@kubernetes/client-node';

export type CacheTransform<T extends KubernetesObject> = (obj: T) => T;

/** Drops metadata.managedFields (often the largest part of a small object), then applies `trim`. */
export function cacheTransform<T extends KubernetesObject>(trim?: (obj: T) => void): CacheTransform<T> {
  return (obj) => {
    if (obj?.metadata?.managedFields) delete obj.metadata.managedFields;
    trim?.(obj);
    return obj;
  };
}
