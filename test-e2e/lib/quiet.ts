// "Nothing happens" windows as a watch instead of a sleep and a comparison: the watch starts from a resourceVersion
// read before the window, so no change falls between two reads, and the first unwanted event fails the test at once
// and says what it was. On a busy machine a sleep is either too short to see a late change or longer than needed.
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubernetesObject, Watch } from '@kubernetes/client-node';
import { clients } from './cluster.ts';

export class UnwantedEventError extends Error {
  readonly code = 'UNWANTED_EVENT';
  constructor(message: string) {
    super(message);
    this.name = 'UnwantedEventError';
  }
}

export interface QuietOptions<T extends KubernetesObject> {
  /** A list path, e.g. `/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles` (narrow it with the selectors). */
  path: string;
  /** Where the window starts: the resourceVersion of the object or list as read before it. */
  resourceVersion: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** What must not happen, for the failure message: "a write to the foreign Role pod-reader". */
  what: string;
  /** Says why an event is unwanted, or undefined when it is fine. Default: every event is unwanted. */
  unwanted?: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => string | undefined;
}

/**
 * Runs `body` while watching; rejects with UnwantedEventError at the first unwanted event (without waiting for
 * `body`), and always stops the watch. A watch that the server ends is resumed from the last version seen; one that
 * cannot be resumed (410 Gone) fails the window, since events may have been missed.
 */
export async function whileQuiet<T extends KubernetesObject, R>(
  o: QuietOptions<T>,
  body: (signal: AbortSignal) => Promise<R>,
): Promise<R> {
  const done = new AbortController();
  let abortWatch: AbortController | undefined;
  let rv = o.resourceVersion;
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined); // handled by the race below, even when it comes before the race starts
  const start = async (): Promise<void> => {
    if (done.signal.aborted) return;
    const params: Record<string, string | boolean> = { resourceVersion: rv, allowWatchBookmarks: true };
    if (o.fieldSelector) params.fieldSelector = o.fieldSelector;
    if (o.labelSelector) params.labelSelector = o.labelSelector;
    abortWatch = await new Watch(clients().kc).watch(
      o.path,
      params,
      (type: string, obj: T & { code?: number; message?: string }) => {
        if (type === 'ERROR') {
          fail(new UnwantedEventError(`watching for ${o.what}: the watch failed: ${obj.code} ${obj.message}`));
          return;
        }
        rv = obj.metadata?.resourceVersion ?? rv;
        if (type === 'BOOKMARK') return;
        const why = o.unwanted
          ? o.unwanted(type as 'ADDED' | 'MODIFIED' | 'DELETED', obj)
          : `${type} ${obj.kind ?? ''} ${obj.metadata?.name}`;
        if (why !== undefined) fail(new UnwantedEventError(`${o.what}: ${why} (resourceVersion ${rv})`));
      },
      () => {
        if (!done.signal.aborted) void sleep(200).then(() => start().catch(fail));
      },
    );
  };
  const running = body(done.signal);
  running.catch(() => undefined); // when the watch fails first, a later rejection of body is not the news
  try {
    await start();
    return await Promise.race([running, failed]);
  } finally {
    done.abort();
    abortWatch?.abort();
  }
}

/** Waits `forMs`; rejects at the first unwanted event in that window (see whileQuiet). */
export function expectQuiet<T extends KubernetesObject>(o: QuietOptions<T> & { forMs: number }): Promise<void> {
  return whileQuiet(o, (signal) => sleep(o.forMs, undefined, { signal }).catch(() => undefined));
}
