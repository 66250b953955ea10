// An in-memory SbrLeaseApi for unit tests: uids, resourceVersions, 409 on a create of an existing name, the uid
// precondition on delete, and what Pekko's write does to a Lease (labels and owner references gone).
import type { V1Lease } from '@kubernetes/client-node';
import { KubeApiError } from '../errors.ts';
import type { SbrLeaseApi } from './sbr-leases.ts';

export class MemorySbrLeases implements SbrLeaseApi {
  readonly leases = new Map<string, V1Lease>();
  private seq = 0;
  /** Set to make every call fail with this HTTP status (403: the operator may not). */
  failWith: number | undefined;
  readonly calls: string[] = [];

  private check(call: string): void {
    this.calls.push(call);
    if (this.failWith !== undefined) throw new KubeApiError(`${call}: ${this.failWith}`, this.failWith);
  }

  async read(namespace: string, name: string): Promise<V1Lease | undefined> {
    this.check(`read ${name}`);
    const l = this.leases.get(`${namespace}/${name}`);
    return l ? structuredClone(l) : undefined;
  }

  async create(lease: V1Lease): Promise<V1Lease> {
    const key = `${lease.metadata?.namespace}/${lease.metadata?.name}`;
    this.check(`create ${lease.metadata?.name}`);
    if (this.leases.has(key)) throw new KubeApiError(`create ${key}: 409 already exists`, 409);
    return this.put(lease);
  }

  async delete(namespace: string, name: string, uid: string): Promise<boolean> {
    this.check(`delete ${name}`);
    const l = this.leases.get(`${namespace}/${name}`);
    if (!l || l.metadata?.uid !== uid) return false;
    this.leases.delete(`${namespace}/${name}`);
    return true;
  }

  /** Stores the Lease as the API server would (a uid for a new one, a new resourceVersion). */
  put(lease: V1Lease): V1Lease {
    const key = `${lease.metadata?.namespace}/${lease.metadata?.name}`;
    const uid = this.leases.get(key)?.metadata?.uid ?? lease.metadata?.uid ?? `uid-${++this.seq}`;
    const stored = structuredClone(lease);
    stored.metadata = { ...stored.metadata, uid, resourceVersion: String(++this.seq) };
    this.leases.set(key, stored);
    return structuredClone(stored);
  }

  /** Pekko's PUT: the whole object replaced by name, holder and time; labels and owner references dropped. */
  pekkoWrite(namespace: string, name: string, holder: string, at: string): void {
    const l = this.leases.get(`${namespace}/${name}`);
    if (!l) throw new Error(`no Lease ${namespace}/${name}`);
    this.put({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, uid: l.metadata?.uid },
      spec: { holderIdentity: holder, acquireTime: at as unknown as Date },
    });
  }
}
