// Sends Events (events.k8s.io/v1) on ClusterBootstraps, for what a person reads in `kubectl describe`. The same
// event for the same object is sent at most once per window (10 min): a conflict re-checked every 30 s does not flood
// the namespace. Sending is best-effort and never fails a reconcile. Which Events a pass deserves is decided by pure
// functions: apply-events.ts (what the apply did) and operator/status/cluster-events.ts (what the cluster did).
import { type EventsV1Event, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import type { KubeClient } from '../kube/client.ts';

export const REPORTING_CONTROLLER = 'pekko-bootstrap-operator';

/** The reasons of the Events the reconcilers make themselves (the status observer's: status/cluster-events.ts). */
export const EventReason = {
  Created: 'Created',
  Updated: 'Updated',
  Repaired: 'Repaired',
  Deleted: 'Deleted',
  Conflict: 'Conflict',
  ApplyFailed: 'ApplyFailed',
  InvalidSpec: 'InvalidSpec',
} as const;

export interface EventInput {
  regarding: ClusterBootstrap;
  type: 'Normal' | 'Warning';
  reason: string;
  /** What the operator did or failed to do, in a word (events.k8s.io `action`). */
  action: string;
  note: string;
}

export interface EventRecorderOptions {
  client: KubeClient;
  clock: Clock;
  /** reportingInstance: the pod name. */
  instance: string;
  log: Logger;
  windowMs?: number;
  maxRemembered?: number;
}

export class EventRecorder {
  private readonly o: EventRecorderOptions;
  private readonly sent = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(options: EventRecorderOptions) {
    this.o = options;
  }

  /** Sends the event unless the same one was sent for the same object within the window. Does not wait. */
  record(e: EventInput): void {
    const { clock, windowMs = 10 * 60_000, maxRemembered = 10_000 } = this.o;
    const uid = e.regarding.metadata.uid ?? '';
    const key = `${uid}\u0000${e.reason}\u0000${e.note}`;
    const now = clock.now();
    const last = this.sent.get(key);
    if (last !== undefined && now - last < windowMs) return;
    this.sent.delete(key);
    this.sent.set(key, now);
    if (this.sent.size > maxRemembered) {
      const oldest = this.sent.keys().next().value;
      if (oldest !== undefined) this.sent.delete(oldest);
    }
    const p = this.send(e, now).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for the events being sent (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async send(e: EventInput, now: number): Promise<void> {
    const md = e.regarding.metadata;
    const event: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      // generateName must be a DNS subdomain: it cannot end with '.'.
      metadata: { generateName: `${md.name}-`, namespace: md.namespace },
      eventTime: new V1MicroTime(now),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.o.instance.slice(0, 128),
      action: e.action,
      reason: e.reason,
      type: e.type,
      note: e.note.length > 1000 ? `${e.note.slice(0, 997)}...` : e.note,
      regarding: {
        apiVersion: e.regarding.apiVersion,
        kind: e.regarding.kind,
        name: md.name,
        namespace: md.namespace,
        uid: md.uid,
        resourceVersion: md.resourceVersion,
      },
    };
    try {
      await this.o.client.createEvent(event);
    } catch (err) {
      this.o.log.warn({ err, reason: e.reason, name: md.name, namespace: md.namespace }, 'event not recorded');
    }
  }
}
