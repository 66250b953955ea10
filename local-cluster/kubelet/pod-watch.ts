// The pods bound to this node: list, then watch from the list's resourceVersion (fieldSelector spec.nodeName). A
// watch that ends is resumed from the last resourceVersion seen; an expired one (410 Gone) and any error lead to a
// fresh list after a backoff (0.5 s doubling to 30 s, reset once a watch delivers). `sync` gets every list, so that
// pods deleted while nobody watched are noticed.
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from './log.ts';
import type { Rest } from './rest.ts';

export interface PodHandlers {
  upsert(pod: V1Pod): void;
  remove(pod: V1Pod): void;
  sync(pods: V1Pod[]): void;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: V1Pod & { code?: number; message?: string };
}

class Gone extends Error {}

export async function watchPods(api: Rest, nodeName: string, h: PodHandlers, log: Logger, signal: AbortSignal) {
  const fieldSelector = `spec.nodeName=${nodeName}`;
  let backoff = 500;
  while (!signal.aborted) {
    try {
      const list = await api.request<{ items: V1Pod[]; metadata: { resourceVersion: string } }>('GET', '/api/v1/pods', {
        query: { fieldSelector },
      });
      h.sync(list.items);
      let rv = list.metadata.resourceVersion;
      for (;;) {
        let delivered = false;
        await api.stream(
          '/api/v1/pods',
          { fieldSelector, watch: true, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 300 },
          (line) => {
            const ev = JSON.parse(line) as WatchEvent;
            if (ev.type === 'ERROR') {
              if (ev.object.code === 410) throw new Gone(ev.object.message);
              throw new Error(`watch error: ${ev.object.message}`);
            }
            rv = ev.object.metadata?.resourceVersion ?? rv;
            delivered = true;
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED') h.upsert(ev.object);
            else if (ev.type === 'DELETED') h.remove(ev.object);
          },
          signal,
        );
        if (signal.aborted) return;
        if (delivered) backoff = 500;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof Gone) log.info('pod watch expired; listing again');
      else log.warn({ err: (err as Error).message, retryInMs: backoff }, 'pod watch failed');
      await new Promise((r) => setTimeout(r, err instanceof Gone ? 0 : backoff));
      backoff = Math.min(backoff * 2, 30000);
    }
  }
}
