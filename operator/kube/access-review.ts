// The port that asks the API server whether a pod's ServiceAccount may list pods in its namespace, and its
// client-node implementation: a LocalSubjectAccessReview (namespaced, so that a namespaced install's Role can grant
// it; nothing is stored). The account is given with the groups every ServiceAccount token carries, so that a
// binding to system:serviceaccounts:<ns> counts as it does for the pods themselves.
import { AuthorizationV1Api, type Configuration } from '@kubernetes/client-node';
import { asKubeError, withSignal } from './client.ts';

export interface AccessAnswer {
  allowed: boolean;
  /** The authorizer's reason, when it gives one (RBAC: which binding allowed it). */
  reason?: string;
}

/**
 * Whether ServiceAccount `serviceAccount` of `namespace` may list pods there. Rejects when it cannot say; `signal`
 * aborts the request.
 */
export type PodListReview = (namespace: string, serviceAccount: string, signal?: AbortSignal) => Promise<AccessAnswer>;

export function podListReview(config: Configuration): PodListReview {
  const api = new AuthorizationV1Api(config);
  return async (namespace, serviceAccount, signal) => {
    try {
      const res = await api.createNamespacedLocalSubjectAccessReview(
        {
          namespace,
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'LocalSubjectAccessReview',
            metadata: { namespace },
            spec: {
              user: `system:serviceaccount:${namespace}:${serviceAccount}`,
              groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
              resourceAttributes: { namespace, verb: 'list', group: '', resource: 'pods' },
            },
          },
        },
        signal ? withSignal(signal) : undefined,
      );
      const s = res.status;
      return { allowed: s?.allowed === true, ...(s?.reason ? { reason: s.reason } : {}) };
    } catch (err) {
      throw asKubeError(`review list pods for ServiceAccount ${namespace}/${serviceAccount}`, err);
    }
  };
}
