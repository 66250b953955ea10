// Pod Events as a kubelet reports them (Pulled/Failed, Started, Killing, Unhealthy, BackOff): fire-and-forget, and
// the same reason+message for the same pod is sent at most once per 30 s, so a failing probe does not flood the API.
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from './log.ts';
import type { Rest } from './rest.ts';

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  event(pod: V1Pod, type: EventType, reason: string, message: string, container?: string): void;
}

export function eventRecorder(api: Rest, nodeName: string, log: Logger): Recorder {
  const recent = new Map<string, number>();
  return {
    event(pod, type, reason, message, container) {
      const md = pod.metadata ?? {};
      const key = `${md.uid}|${reason}|${message}`;
      const now = Date.now();
      if ((recent.get(key) ?? 0) > now - 30000) return;
      recent.set(key, now);
      if (recent.size > 5000) {
        for (const [k, t] of recent) if (t < now - 30000) recent.delete(k);
      }
      const ts = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
      api
        .request('POST', `/api/v1/namespaces/${md.namespace}/events`, {
          body: {
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name: `${md.name}.${randomBytes(8).toString('hex')}`, namespace: md.namespace },
            involvedObject: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: md.name,
              namespace: md.namespace,
              uid: md.uid,
              ...(container ? { fieldPath: `spec.containers{${container}}` } : {}),
            },
            type,
            reason,
            message,
            source: { component: 'kubelet', host: nodeName },
            reportingComponent: 'kubelet',
            reportingInstance: nodeName,
            firstTimestamp: ts,
            lastTimestamp: ts,
            count: 1,
          },
        })
        .catch((err: unknown) => log.debug({ reason, err: (err as Error).message }, 'event not recorded'));
    },
  };
}
