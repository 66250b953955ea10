// When this replica may write and when it must stop: the part of controller-runtime's manager that ties leader
// election to the controllers.
//  - lead() (on winning the lease, or at once without leader election): wait for every cache to sync, at most
//    cacheSyncTimeout (controller-runtime's default: 2 min), then start the controllers. Caches that do not sync in
//    time (an RBAC rule missing, an API that never answers the list) make the replica give up: it logs the informers
//    that did not sync, releases the lease (it has written nothing) and exits 1, so that another replica, or its own
//    restart, takes over instead of holding the lease while doing nothing.
//  - lost() (the lease is lost): exit 1 at once and synchronously, so no reconcile in flight writes again, whatever
//    hangs. The restarted process is a follower with a fresh cache.
import type { Logger } from 'pino';
import type { Clock } from '../../core/runtime/clock.ts';

export interface ManagerOptions {
  caches: { waitForSync(): Promise<void>; unsynced(): string[] };
  controllers: readonly { start(): void }[];
  clock: Clock;
  log: Logger;
  cacheSyncTimeoutMs: number;
  /** Ends the process (main: process.exit). Must not return for code 1. */
  exit: (code: number) => void;
  /** Gives the lease back before giving up (leader election only). */
  release?: () => Promise<void>;
  /** Whether the controllers run (the leader metric). */
  onLeading?: (leading: boolean) => void;
  /** True once shutdown began: the controllers are not started any more. */
  shuttingDown?: () => boolean;
}

export class Manager {
  private readonly o: ManagerOptions;
  private started = false;

  constructor(options: ManagerOptions) {
    this.o = options;
  }

  /** Starts the controllers once the caches synced; gives up (exit 1) if they do not within cacheSyncTimeout. */
  async lead(): Promise<void> {
    const { caches, clock, log, cacheSyncTimeoutMs } = this.o;
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = clock.setTimeout(() => resolve(true), cacheSyncTimeoutMs);
    });
    const gaveUp = await Promise.race([caches.waitForSync().then(() => false), timedOut]).finally(() =>
      timer?.cancel(),
    );
    if (gaveUp && !this.o.shuttingDown?.()) {
      const unsynced = caches.unsynced();
      log.fatal(
        { unsynced, timeoutMs: cacheSyncTimeoutMs },
        'caches did not sync in time, giving up so that another replica can lead',
      );
      await this.o.release?.();
      this.o.exit(1);
      return;
    }
    if (gaveUp || this.started || this.o.shuttingDown?.()) return;
    this.started = true;
    this.o.onLeading?.(true);
    for (const c of this.o.controllers) c.start();
    log.info({}, 'controllers started');
  }

  /** The lease is lost: exit 1 now (another replica may lead already). */
  lost(reason: string): void {
    this.o.onLeading?.(false);
    this.o.log.fatal({ reason }, 'leader lease lost, exiting');
    this.o.exit(1);
  }
}
