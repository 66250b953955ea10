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
 * How long a watch lasts: the API server ends it after `timeoutSeconds` (4 to 5 min, jittered, as client-go's
 * reflector does with 5 to 10) and the informer opens the next one from the last resourceVersion; bookmarks keep
 * that resourceVersion fresh. client-node's own inactivity timeout (30 s by default) would otherwise end a quiet
 * watch twice a minute; it stays as the dead-connection guard, past the server's end.
 */
export const WATCH_SECONDS = { min: 240, jitter: 60 };
export const WATCH_INACTIVITY_MS = (WATCH_SECONDS.min + WATCH_SECONDS.jitter + 30) * 1000;

/**
 * Wraps a Watch so that a rejected watch() ends the watch through done(err) instead of rejecting, each watch asks
 * for bookmarks and a server-side timeout, and each event's object passes `transform` before ListWatch caches it.
 */
export function guardWatch(
  inner: WatchLike,
  transform: (obj: unknown) => unknown = (o) => o,
  random: () => number = Math.random,
  now: () => number = () => performance.now(),
): WatchLike {
  return {
    async watch(path, query, callback, done) {
      const transformed = (phase: string, obj: unknown, watchObj?: unknown) =>
        callback(phase, OBJECT_EVENTS.has(phase) ? transform(obj) : obj, watchObj);
      const timeoutSeconds = WATCH_SECONDS.min + Math.floor(random() * WATCH_SECONDS.jitter);
      // A watch the server ended at its timeout is resumed at once: ListWatch waits (1 s, doubling to 30 s) after a
      // normal end, unless the end is a timeout. An end before a minute is left to that throttle.
      const started = now();
      const ended = (err: unknown) =>
        done(
          err == null && now() - started >= 60_000
            ? Object.assign(new Error('watch ended'), { name: 'TimeoutError' })
            : err,
        );
      try {
        return await inner.watch(path, { ...query, allowWatchBookmarks: true, timeoutSeconds }, transformed, ended);
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
  const inner = new Watch(kc);
  // A private field of client-node 2.x's Watch (no option sets it); if it goes, watches end after 30 s quiet as before.
  (inner as unknown as { requestTimeoutMs: number }).requestTimeoutMs = WATCH_INACTIVITY_MS;
  const watch = guardWatch(inner, transform as (obj: unknown) => unknown) as Watch;
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
