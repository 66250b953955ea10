// The operator's port to the Leases of lease-majority clusters (coordination.k8s.io): read one, create one, delete one
// it created. No update: after creating a Lease the operator never writes it (Pekko owns it). Every failure is a
// KubeApiError with the HTTP status.
import { type Configuration, CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { httpStatus } from '../errors.ts';
import { asKubeError } from './client.ts';

export interface SbrLeaseApi {
  /** The Lease, or undefined when there is none. */
  read(namespace: string, name: string): Promise<V1Lease | undefined>;
  /** Creates it; a KubeApiError with status 409 when one of that name exists. */
  create(lease: V1Lease): Promise<V1Lease>;
  /** Deletes it if it is still the object with this uid; false when it is gone or another object has the name. */
  delete(namespace: string, name: string, uid: string): Promise<boolean>;
}

export class RealSbrLeases implements SbrLeaseApi {
  private readonly api: CoordinationV1Api;

  constructor(config: Configuration) {
    this.api = new CoordinationV1Api(config);
  }

  async read(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw asKubeError(`get Lease ${namespace}/${name}`, err);
    }
  }

  async create(lease: V1Lease): Promise<V1Lease> {
    const namespace = lease.metadata?.namespace ?? 'default';
    try {
      return await this.api.createNamespacedLease({ namespace, body: lease });
    } catch (err) {
      throw asKubeError(`create Lease ${namespace}/${lease.metadata?.name}`, err);
    }
  }

  async delete(namespace: string, name: string, uid: string): Promise<boolean> {
    try {
      await this.api.deleteNamespacedLease({ namespace, name, body: { preconditions: { uid } } });
      return true;
    } catch (err) {
      // 404: gone already; 409: the precondition failed, the name now belongs to another object.
      if (httpStatus(err) === 404 || httpStatus(err) === 409) return false;
      throw asKubeError(`delete Lease ${namespace}/${name}`, err);
    }
  }
}
