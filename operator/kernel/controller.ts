// Runs a reconcile function over a work queue with bounded concurrency: the controller-runtime contract.
//   - a reconcile gets a key, never an event, and reads the current state from caches (level-based);
//   - it returns a Result: nothing means done (the key's backoff is forgotten); requeueAfterMs asks for another look;
//   - a thrown Error means retry with the key's exponential backoff; a TerminalError is logged, counted and dropped.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../core/runtime/clock.ts';
import { TerminalError } from '../errors.ts';
import { splitKey } from './key.ts';
import type { WorkQueue } from './queue.ts';

export interface Result {
  /** Look at the key again after this many ms (for time-based conditions, or a conflict to re-check). */
  requeueAfterMs?: number;
}

export interface ReconcileContext {
  /** A child logger with controller, namespace, name and reconcileId. */
  log: Logger;
  reconcileId: string;
}

export type ReconcileFn = (key: string, ctx: ReconcileContext) => Promise<Result | undefined>;

export type ReconcileOutcome = 'success' | 'requeue' | 'error' | 'terminal';

export interface ControllerObserver {
  reconciled(controller: string, outcome: ReconcileOutcome, seconds: number): void;
}

export interface ControllerOptions {
  name: string;
  queue: WorkQueue;
  reconcile: ReconcileFn;
  concurrency: number;
  log: Logger;
  clock: Clock;
  observer?: ControllerObserver;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly options: ControllerOptions;
  private workers: Promise<void>[] = [];

  constructor(options: ControllerOptions) {
    this.options = options;
    this.name = options.name;
    this.queue = options.queue;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Starts the workers; they run until stop(). */
  start(): void {
    if (this.workers.length) return;
    for (let i = 0; i < Math.max(1, this.options.concurrency); i++) this.workers.push(this.work());
  }

  /** Stops taking work and resolves when the reconciles in flight have finished. */
  async stop(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.processOne(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async processOne(key: string): Promise<void> {
    const { clock, log, observer, reconcile } = this.options;
    const reconcileId = randomBytes(4).toString('hex');
    const child = log.child({ controller: this.name, ...splitKey(key), reconcileId });
    const started = clock.now();
    let outcome: ReconcileOutcome;
    try {
      const result = await reconcile(key, { log: child, reconcileId });
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        outcome = 'requeue';
        this.queue.addAfter(key, result.requeueAfterMs);
      } else {
        outcome = 'success';
      }
    } catch (err) {
      if (err instanceof TerminalError) {
        outcome = 'terminal';
        this.queue.forget(key);
        child.error({ err }, 'reconcile failed, not retried');
      } else {
        outcome = 'error';
        const retries = this.queue.retries(key);
        this.queue.addRateLimited(key);
        child.warn({ err, retries }, 'reconcile failed, retrying with backoff');
      }
    }
    const seconds = (clock.now() - started) / 1000;
    observer?.reconciled(this.name, outcome, seconds);
    child.debug({ outcome, seconds }, 'reconciled');
  }
}
