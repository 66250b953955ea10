// Whether the pods' ServiceAccounts may list pods, as the API server's authorizer answers it (a
// LocalSubjectAccessReview, kube/access-review.ts), not as the operator's cache would suggest: a ClusterRoleBinding
// or a binding to the namespace's service-account group counts, and so does the account the pods really run as.
//
// Answers are kept per account and reviewed again in the background, never on the reconcile's path:
// - an allowed answer after `allowedTtlMs` (5 min), a denied one or a failed review after `deniedTtlMs` (30 s);
// - sooner when the namespace's Role pod-reader or RoleBinding read-pods changed since (their resourceVersions), but
//   never twice within `minIntervalMs` (10 s), so that a burst of RBAC changes costs one review per account;
// - at most `concurrency` (4) reviews in flight across all resources.
// The observer asks only for resources without a formed cluster with pods, so a settled fleet costs nothing; a
// review is evaluated in the API server's memory (nothing is stored). A changed answer enqueues the resources that
// asked for that account.
import type { Clock } from '../../core/runtime/clock.ts';
import type { AccessAnswer, PodListReview } from '../kube/access-review.ts';

export interface PodListAccessOptions {
  review: PodListReview;
  clock: Clock;
  enqueue: (key: string) => void;
  allowedTtlMs?: number;
  deniedTtlMs?: number;
  minIntervalMs?: number;
  concurrency?: number;
}

/** What is known about the accounts asked for. */
export type AccessVerdict =
  | { kind: 'allowed' }
  | { kind: 'denied'; account: string }
  /** No answer yet, or the last review failed (e.g. the operator may not create reviews): `error` says why. */
  | { kind: 'unknown'; error?: string };

interface Entry {
  answer?: AccessAnswer;
  error?: string;
  /** Monotonic time of the last review's start; undefined before the first. */
  checkedAt?: number;
  rbacVersion: string;
  inFlight: boolean;
  askers: Set<string>;
}

export class PodListAccess {
  private readonly o: Required<PodListAccessOptions>;
  private readonly entries = new Map<string, Entry>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Reviews started, for tests. */
  reviews = 0;

  constructor(options: PodListAccessOptions) {
    this.o = { allowedTtlMs: 300_000, deniedTtlMs: 30_000, minIntervalMs: 10_000, concurrency: 4, ...options };
  }

  /**
   * The verdict for the accounts of resource `key` from the answers known now; starts the reviews that are due.
   * `rbacVersion` identifies the namespace's pod-reader and read-pods as cached (a change makes answers stale).
   */
  verdict(key: string, namespace: string, accounts: readonly string[], rbacVersion: string): AccessVerdict {
    const now = this.o.clock.monotonic();
    let unknown: AccessVerdict | undefined;
    let denied: AccessVerdict | undefined;
    for (const account of accounts) {
      const id = `${namespace}/${account}`;
      const e = this.entries.get(id) ?? { rbacVersion, inFlight: false, askers: new Set<string>() };
      this.entries.set(id, e);
      e.askers.add(key);
      if (this.due(e, now, rbacVersion)) void this.run(id, e, namespace, account, rbacVersion);
      if (e.answer && !e.answer.allowed) denied ??= { kind: 'denied', account };
      else if (!e.answer || e.error) unknown ??= { kind: 'unknown', ...(e.error ? { error: e.error } : {}) };
    }
    return denied ?? unknown ?? { kind: 'allowed' };
  }

  /** Stops enqueuing `key` for answers (its resource is gone); drops accounts nobody asks about any more. */
  forget(key: string): void {
    for (const [id, e] of this.entries) {
      e.askers.delete(key);
      if (e.askers.size === 0 && !e.inFlight) this.entries.delete(id);
    }
  }

  private due(e: Entry, now: number, rbacVersion: string): boolean {
    if (e.inFlight) return false;
    if (e.checkedAt === undefined) return true;
    const age = now - e.checkedAt;
    if (rbacVersion !== e.rbacVersion && age >= this.o.minIntervalMs) return true;
    return age >= (e.answer?.allowed && !e.error ? this.o.allowedTtlMs : this.o.deniedTtlMs);
  }

  private async run(id: string, e: Entry, namespace: string, account: string, rbacVersion: string): Promise<void> {
    e.inFlight = true;
    e.checkedAt = this.o.clock.monotonic();
    e.rbacVersion = rbacVersion;
    await this.acquire();
    this.reviews++;
    const before = JSON.stringify([e.answer?.allowed, e.error]);
    try {
      e.answer = await this.o.review(namespace, account);
      delete e.error;
    } catch (err) {
      e.error = (err as Error).message;
    } finally {
      e.inFlight = false;
      this.release();
    }
    if (this.entries.get(id) !== e) return;
    if (JSON.stringify([e.answer?.allowed, e.error]) !== before) for (const key of e.askers) this.o.enqueue(key);
  }

  private acquire(): Promise<void> {
    if (this.running < this.o.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
