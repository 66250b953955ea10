// A resilient informer over client-node's ListWatch (what makeInformer returns). ListWatch lists, watches from the
// list's resourceVersion, reconnects after a quiet 30 s and relists on 410; but after any other error it fires
// `error` and stays stopped. This wrapper restarts it with jittered exponential backoff, never lets a handler's
// exception escape (handlers only enqueue keys), reports has-synced after the first successful list and watch, and
// replays the cache to the resync handler periodically.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import { type BackoffOptions, backoffDelay, type Random } from './backoff.ts';

/** What the wrapper needs of client-node's ListWatch (the informer and its cache). */
export interface ListWatchSource<T extends KubernetesObject> {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
  on(verb: 'error', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
}

export type EventKind = 'add' | 'update' | 'delete' | 'resync';

export interface InformerOptions<T extends KubernetesObject> {
  /** Names the informer in logs and metrics, e.g. "deployments" or "deployments/ns1". */
  resource: string;
  source: ListWatchSource<T>;
  /** Called for every event; must only enqueue. An exception is logged and swallowed. */
  handler: (kind: EventKind, obj: T) => void;
  clock: Clock;
  random?: Random;
  /** Restart backoff after an error; resets once a watch has stayed up for healthyAfterMs. */
  backoff?: BackoffOptions;
  healthyAfterMs?: number;
  /** Replay every cached object to the handler this often (0: never). */
  resyncMs?: number;
  log: Logger;
  /** Counts a restart after an error (the watch-restarts metric). */
  onRestart?: (resource: string) => void;
}

export const DEFAULT_INFORMER_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, jitter: 0.5 };

export class ResilientInformer<T extends KubernetesObject> {
  readonly resource: string;
  private readonly o: InformerOptions<T>;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private stopped = true;
  /** Errors since the watch was last healthy: the exponent of the next backoff. */
  private failures = 0;
  private startedAt = 0;
  private erroredThisRun = false;
  private restartTimer: Timer | undefined;
  private resyncTimer: Timer | undefined;

  constructor(options: InformerOptions<T>) {
    this.o = options;
    this.resource = options.resource;
    const safe = (kind: EventKind) => (obj: T) => this.dispatch(kind, obj);
    options.source.on('add', safe('add'));
    options.source.on('update', safe('update'));
    options.source.on('delete', safe('delete'));
    options.source.on('error', (err) => this.onError(err));
  }

  /** Starts listing and watching. Never throws: failures are retried with backoff. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.restartTimer?.cancel();
    this.resyncTimer?.cancel();
    try {
      await this.o.source.stop();
    } catch (err) {
      this.o.log.debug({ err, resource: this.resource }, 'informer stop failed');
    }
  }

  /** True once the first list has filled the cache and the watch is running. Stays true across restarts. */
  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(name: string, namespace?: string): T | undefined {
    return this.o.source.get(name, namespace);
  }

  list(namespace?: string): ReadonlyArray<T> {
    return this.o.source.list(namespace);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    this.erroredThisRun = false;
    this.startedAt = this.o.clock.now();
    try {
      await this.o.source.start();
    } catch (err) {
      // ListWatch reports most failures through `error`, but a rejected start (e.g. credentials) lands here.
      this.onError(err);
      return;
    }
    if (!this.erroredThisRun && !this.stopped && !this.synced) {
      this.synced = true;
      this.o.log.info({ resource: this.resource }, 'informer synced');
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private onError(err: unknown): void {
    this.erroredThisRun = true;
    if (this.stopped || this.restartTimer) return;
    const { clock } = this.o;
    if (clock.now() - this.startedAt >= (this.o.healthyAfterMs ?? 60_000)) this.failures = 0;
    const delay = backoffDelay(this.failures, this.o.backoff ?? DEFAULT_INFORMER_BACKOFF, this.o.random ?? Math.random);
    this.failures++;
    this.o.log.warn(
      { err, resource: this.resource, delayMs: delay, failures: this.failures },
      'watch failed, restarting',
    );
    this.o.onRestart?.(this.resource);
    this.restartTimer = clock.setTimeout(() => {
      this.restartTimer = undefined;
      void this.run();
    }, delay);
  }

  private dispatch(kind: EventKind, obj: T): void {
    try {
      this.o.handler(kind, obj);
    } catch (err) {
      this.o.log.error({ err, resource: this.resource, kind }, 'informer handler threw');
    }
  }

  private scheduleResync(): void {
    const every = this.o.resyncMs ?? 0;
    if (every <= 0 || this.stopped) return;
    this.resyncTimer = this.o.clock.setTimeout(() => {
      if (this.synced) for (const obj of this.list()) this.dispatch('resync', obj);
      this.scheduleResync();
    }, every);
  }
}
