// An in-memory LeaseApi for unit tests, with the API server's optimistic concurrency (409 on a stale
// resourceVersion) and hooks to make calls fail, hang or wait in flight.
import type { V1Lease } from '@kubernetes/client-node';
import { KubeApiError } from '../errors.ts';
import type { LeaseApi } from './client.ts';

export type LeaseOp = 'read' | 'create' | 'replace';

export interface LeaseCall {
  op: LeaseOp;
  signal: AbortSignal;
}

/** A promise that never settles: a call on a stalled connection that ignores its signal. */
export const never = (): Promise<void> => new Promise(() => undefined);

/** A promise that settles only when the signal aborts (rejecting with its reason): a stalled call that honours it. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class MemoryLeases implements LeaseApi {
  lease: V1Lease | undefined;
  private rv = 0;
  /** While true every call fails like an unreachable API server. */
  down = false;
  /** Awaited before a call does its work: hold it in flight, or never answer (see never, untilAborted). */
  before: ((call: LeaseCall) => Promise<void>) | undefined;
  /** Every call, in order. */
  readonly calls: LeaseCall[] = [];

  private async enter(op: LeaseOp, signal: AbortSignal): Promise<void> {
    const call = { op, signal };
    this.calls.push(call);
    await this.before?.(call);
    if (this.down) throw new KubeApiError('connect ECONNREFUSED', undefined);
  }

  async read(_namespace: string, _name: string, signal: AbortSignal): Promise<V1Lease | undefined> {
    await this.enter('read', signal);
    return this.lease ? structuredClone(this.lease) : undefined;
  }

  async create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease> {
    await this.enter('create', signal);
    if (this.lease) throw new KubeApiError('exists', 409);
    return this.store(lease);
  }

  async replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease> {
    await this.enter('replace', signal);
    if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
      throw new KubeApiError('conflict', 409);
    }
    return this.store(lease);
  }

  /** Writes the record as another party would (a new resourceVersion). */
  store(lease: V1Lease): V1Lease {
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }

  get holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }

  /** The renewTime last written, in ms since the epoch. */
  get renewedAt(): number {
    const t = this.lease?.spec?.renewTime;
    return t instanceof Date ? t.getTime() : Number.NaN;
  }
}
