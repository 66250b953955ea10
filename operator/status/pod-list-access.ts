// Whether the pods' ServiceAccounts may list pods, as the API server's authorizer answers it (a
// LocalSubjectAccessReview, kube/access-review.ts), not as the operator's cache would suggest: a ClusterRoleBinding
// or a binding to the namespace's service-account group counts, and so does the account the pods really run as.
//
// Answers are kept per account and reviewed again in the background, never on the reconcile's path:
// - an allowed answer after `allowedTtlMs` (5 min), a denied one or a failed review after `deniedTtlMs` (30 s);
// - after a change of the namespace's Role pod-reader or RoleBinding read-pods (their resourceVersions): a denied
//   answer once the change has settled (below), an allowed one at most every `minIntervalMs` (10 s), so that a
//   burst of RBAC changes costs one review per allowed account;
// - at most `concurrency` (4) reviews in flight across all resources; a review unanswered after `timeoutMs` (10 s) is
//   given up (its request aborted) and counts as a failed one, so a hung call cannot hold an answer back for long.
// A denial counts only when the review started `settleMs` (3 s) or more after the RBAC objects became what they are
// now: the API server's authorizer follows RBAC changes through its own cache, so a review right after the operator
// created read-pods can still say no. Until then the verdict is unknown, and nothing is said.
// The observer asks only for resources without a formed cluster with pods, so a settled fleet costs nothing; a
// review is evaluated in the API server's memory (nothing is stored). A changed verdict enqueues the resources that
// asked for that account.
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import { ConcurrencyLimit } from '../kernel/limit.ts';
import type { AccessAnswer, PodListReview } from '../kube/access-review.ts';

export interface PodListAccessOptions {
  review: PodListReview;
  clock: Clock;
  enqueue: (key: string) => void;
  allowedTtlMs?: number;
  deniedTtlMs?: number;
  minIntervalMs?: number;
  settleMs?: number;
  concurrency?: number;
  timeoutMs?: number;
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
  /** Monotonic time the review behind `answer` (or `error`) started; undefined before the first. */
  checkedAt?: number;
  /** The RBAC objects' version that review saw. */
  checkedVersion?: string;
  /** The RBAC objects' version last seen, and since when (monotonic). */
  version: string;
  versionSince: number;
  inFlight: boolean;
  askers: Set<string>;
}

export class PodListAccess {
  private readonly limit: ConcurrencyLimit;
  private readonly o: Required<PodListAccessOptions>;
  private readonly entries = new Map<string, Entry>();
  /** Reviews started, for tests. */
  reviews = 0;

  constructor(options: PodListAccessOptions) {
    this.o = {
      allowedTtlMs: 300_000,
      deniedTtlMs: 30_000,
      minIntervalMs: 10_000,
      settleMs: 3000,
      concurrency: 4,
      timeoutMs: 10_000,
      ...options,
    };
    this.limit = new ConcurrencyLimit(this.o.concurrency);
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
      const e = this.entries.get(id) ?? { version: rbacVersion, versionSince: now, inFlight: false, askers: new Set() };
      this.entries.set(id, e);
      e.askers.add(key);
      if (e.version !== rbacVersion) {
        e.version = rbacVersion;
        e.versionSince = now;
      }
      if (this.due(e, now)) void this.run(id, e, namespace, account);
      if (this.trustedDenial(e)) denied ??= { kind: 'denied', account };
      else if (!e.answer?.allowed || e.error) unknown ??= { kind: 'unknown', ...(e.error ? { error: e.error } : {}) };
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

  /** A denial from a review of the current RBAC objects, started once the authorizer had had time to follow them. */
  private trustedDenial(e: Entry): boolean {
    return (
      e.answer?.allowed === false &&
      e.checkedVersion === e.version &&
      (e.checkedAt ?? Number.NEGATIVE_INFINITY) >= e.versionSince + this.o.settleMs
    );
  }

  private due(e: Entry, now: number): boolean {
    if (e.inFlight) return false;
    if (e.checkedAt === undefined) return true;
    const age = now - e.checkedAt;
    if (e.error) return age >= this.o.deniedTtlMs;
    const denied = !e.answer?.allowed;
    if (denied && !this.trustedDenial(e)) {
      // A denial that may be the authorizer lagging, or of older RBAC objects: confirm it once they have settled.
      return now >= e.versionSince + this.o.settleMs;
    }
    if (e.checkedVersion !== e.version && age >= this.o.minIntervalMs) return true;
    return age >= (denied ? this.o.deniedTtlMs : this.o.allowedTtlMs);
  }

  private async run(id: string, e: Entry, namespace: string, account: string): Promise<void> {
    e.inFlight = true;
    await this.limit.acquire();
    // What the review is of, recorded with its answer (until then the old answer stands as it was).
    const startedAt = this.o.clock.monotonic();
    const version = e.version;
    this.reviews++;
    const before = JSON.stringify([this.trustedDenial(e), e.answer?.allowed, e.error]);
    const abort = new AbortController();
    let timer: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = this.o.clock.setTimeout(() => {
        abort.abort();
        reject(new Error(`review list pods for ServiceAccount ${id}: no answer within ${this.o.timeoutMs / 1000} s`));
      }, this.o.timeoutMs);
    });
    try {
      e.answer = await Promise.race([this.o.review(namespace, account, abort.signal), timedOut]);
      delete e.error;
    } catch (err) {
      e.error = (err as Error).message;
    } finally {
      timer?.cancel();
      e.inFlight = false;
      e.checkedAt = startedAt;
      e.checkedVersion = version;
      this.limit.release();
    }
    if (this.entries.get(id) !== e) return;
    const after = JSON.stringify([this.trustedDenial(e), e.answer?.allowed, e.error]);
    const enqueue = () => {
      for (const key of e.askers) this.o.enqueue(key);
    };
    if (after !== before) enqueue();
    // A denial to confirm: ask the resources to look again when it may be (they may not look often by themselves).
    if (e.answer?.allowed === false && !e.error && !this.trustedDenial(e)) {
      this.o.clock.setTimeout(enqueue, e.versionSince + this.o.settleMs - this.o.clock.monotonic());
    }
  }
}
