// Builds client-node's ListWatch the way makeInformer does (no autostart), with two hazards removed:
//  - a Watch whose watch() rejects (a credential failure while reconnecting) would be an unhandled rejection inside
//    ListWatch; the guard turns it into done(err), so the informer sees an `error` and restarts with backoff;
//  - the list function pages (limit/continue), so a large list does not arrive as one huge response;
// and every listed or watched object passes the kind's cache transform (cache-transform.ts) before it is cached.
import {
  type Configuration,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  KubernetesObjectApi,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import type { CacheTransform } from './cache-transform.ts';

/** The part of client-node's Watch that ListWatch calls. */
export interface WatchLike {
  watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, obj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController>;
}

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/**
 * Wraps a Watch so that a rejected watch() ends the watch through done(err) instead of rejecting, and each event's
 * object passes `transform` before ListWatch caches it.
 */
export function guardWatch(inner: WatchLike, transform: (obj: unknown) => unknown = (o) => o): WatchLike {
  return {
    async watch(path, query, callback, done) {
      const transformed = (phase: string, obj: unknown, watchObj?: unknown) =>
        callback(phase, OBJECT_EVENTS.has(phase) ? transform(obj) : obj, watchObj);
      try {
        return await inner.watch(path, query, transformed, done);
      } catch (err) {
        done(err);
        return new AbortController();
      }
    },
  };
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  /** The plural resource name, for the watch path. */
  plural: string;
}

/** The collection path: /api/v1/namespaces/ns/pods, /apis/apps/v1/deployments, ... (namespace '' = all). */
export function collectionPath(r: ResourceRef, namespace: string): string {
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${r.plural}` : `${base}/${r.plural}`;
}

/**
 * Lists every page; the returned list carries the snapshot's resourceVersion (the same on every page), and each item
 * its apiVersion and kind.
 */
export async function listAllPages<T extends KubernetesObject>(
  api: KubernetesObjectApi,
  r: ResourceRef,
  namespace: string,
  labelSelector: string | undefined,
  pageSize = 500,
  transform: CacheTransform<T> = (o) => o,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const page = await api.list<T>(
      r.apiVersion,
      r.kind,
      namespace || undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
      pageSize,
      token,
    );
    // List items carry no apiVersion and kind (watch events do): set them, so every cached object has both.
    for (const item of page.items) items.push(transform({ ...item, apiVersion: r.apiVersion, kind: r.kind }));
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    token = page.metadata?._continue || undefined;
  } while (token);
  return { apiVersion: 'v1', kind: `${r.kind}List`, metadata: { resourceVersion }, items };
}

/** kc makes the watch connections; config (shared keep-alive connections) the list requests. */
export function makeListWatch<T extends KubernetesObject>(
  kc: KubeConfig,
  config: Configuration,
  r: ResourceRef,
  namespace: string,
  labelSelector: string | undefined,
  delayFn: (ms: number) => Promise<void>,
  transform: CacheTransform<T> = (o) => o,
): ListWatch<T> {
  const api = new KubernetesObjectApi(config);
  const watch = guardWatch(new Watch(kc), transform as (obj: unknown) => unknown) as Watch;
  return new ListWatch<T>(
    collectionPath(r, namespace),
    watch,
    () => listAllPages<T>(api, r, namespace, labelSelector, 500, transform),
    false,
    labelSelector,
    undefined,
    { delayFn },
  );
}
