// Holds at most one domain-events stream per resource (docs/status.md, "Event streams"): to one pod that answered
// with a member list, the cluster's oldest member when it answered (event-stream.ts does the HTTP). Any member event,
// and the loss of a stream that was open, calls the resource's onChange: the probe scheduler then asks every pod
// again at once. A stream that fails is tried again after a backoff (retryMs doubling up to retryMaxMs, on the next
// candidate pod each time); a 404 (the pods do not serve the route) only after notServedMs. At most `maxStreams`
// are held at once, across all resources; a resource over the cap is polled as before.
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import type { OpenStream, StreamEnd, StreamHandle, StreamLimits } from './event-stream.ts';

/** A pod a stream may be held to. */
export interface StreamCandidate {
  pod: string;
  /** Changes when the pod is replaced or gets another IP: the stream to the old one is dropped. */
  incarnation: string;
  host: string;
  port: number;
}

export interface StreamMetrics {
  events(count: number): void;
  ended(reason: StreamEnd): void;
}

export interface EventStreamsOptions {
  open: OpenStream;
  clock: Clock;
  metrics?: StreamMetrics;
  /** Streams held at once, across all resources (0: none). */
  maxStreams?: number;
  limits?: Partial<StreamLimits>;
  retryMs?: number;
  retryMaxMs?: number;
  /** After a 404, the wait before trying again (the pods may be updated to serve it). */
  notServedMs?: number;
}

interface Held {
  candidates: StreamCandidate[];
  /** Called with the pod a member event came from; without one when a live stream was lost. */
  onChange: (pod?: string) => void;
  target?: StreamCandidate;
  handle?: StreamHandle;
  live: boolean;
  failures: number;
  /** Wall ms before which no stream is opened (backoff). */
  retryAt: number;
  retry?: Timer;
}

export class EventStreams {
  private readonly o: Required<Omit<EventStreamsOptions, 'metrics'>> & { metrics?: StreamMetrics };
  private readonly limits: StreamLimits;
  private readonly held = new Map<string, Held>();
  private opened = 0;

  constructor(options: EventStreamsOptions) {
    this.o = { maxStreams: 2000, limits: {}, retryMs: 2000, retryMaxMs: 300_000, notServedMs: 600_000, ...options };
    this.limits = { connectTimeoutMs: 5000, idleMs: 30_000, maxLine: 64 * 1024, ...this.o.limits };
  }

  /** Streams open or opening now. */
  get open(): number {
    return this.opened;
  }

  /**
   * Keeps the resource's stream to one of `candidates` (best first), opening one when none is held and no backoff
   * runs. Returns whether a stream is live now (answered and not ended).
   */
  follow(key: string, candidates: StreamCandidate[], onChange: (pod?: string) => void): boolean {
    let h = this.held.get(key);
    if (!h) {
      if (candidates.length === 0) return false;
      h = { candidates, onChange, live: false, failures: 0, retryAt: 0 };
      this.held.set(key, h);
    }
    h.candidates = candidates;
    h.onChange = onChange;
    const t = h.target;
    if (h.handle && t && candidates.some((c) => c.pod === t.pod && c.incarnation === t.incarnation)) return h.live;
    // The pod it streams from is gone, replaced or no longer answers: not a failure, take another.
    if (h.handle) this.drop(h);
    this.start(h);
    return false;
  }

  /** Drops a resource's stream (it was deleted). */
  forget(key: string): void {
    const h = this.held.get(key);
    if (!h) return;
    this.drop(h);
    h.retry?.cancel();
    h.candidates = [];
    this.held.delete(key);
  }

  private drop(h: Held): void {
    if (!h.handle) return;
    h.handle.close();
    delete h.handle;
    delete h.target;
    h.live = false;
    this.opened--;
  }

  private start(h: Held): void {
    if (h.handle || h.candidates.length === 0 || this.opened >= this.o.maxStreams) return;
    if (this.o.clock.now() < h.retryAt) return;
    const target = h.candidates[h.failures % h.candidates.length] as StreamCandidate;
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    h.target = target;
    this.opened++;
    const handle = this.o.open(
      `http://${host}:${target.port}/cluster/domain-events`,
      {
        onOpen: () => {
          if (h.handle !== handle) return;
          h.live = true;
        },
        onEvents: (events) => {
          if (h.handle !== handle) return;
          h.failures = 0;
          this.o.metrics?.events(events.length);
          h.onChange(target.pod);
        },
        onEnd: (reason) => {
          if (h.handle !== handle) return;
          const wasLive = h.live;
          delete h.handle;
          delete h.target;
          h.live = false;
          this.opened--;
          this.o.metrics?.ended(reason);
          this.backoff(h, reason, wasLive);
          // Events may have been missed, or the node went away: look now, and poll until a stream is live again.
          if (wasLive) h.onChange();
        },
      },
      this.limits,
    );
    h.handle = handle;
  }

  private backoff(h: Held, reason: StreamEnd, wasLive: boolean): void {
    // A stream that worked and then ended (the pod restarted, the server closed it) is tried again soon.
    h.failures = wasLive ? 1 : h.failures + 1;
    const delay =
      reason === 'NotServed' ? this.o.notServedMs : Math.min(this.o.retryMaxMs, this.o.retryMs * 2 ** (h.failures - 1));
    h.retryAt = this.o.clock.now() + delay;
    h.retry?.cancel();
    h.retry = this.o.clock.setTimeout(() => {
      delete h.retry;
      h.retryAt = 0;
      this.start(h);
    }, delay);
  }
}
