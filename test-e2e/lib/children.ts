// A ClusterBootstrap's four children as the API server has them (the Deployment and ServiceAccount of its name, the
// namespace's shared Role pod-reader and RoleBinding read-pods), read with the typed clients; undefined where absent.
import { clients } from './cluster.ts';
import { waitFor } from './wait.ts';

/** Resolves with the object, or undefined on 404. */
export async function maybe<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export const deployment = (ns: string, name: string) =>
  maybe(clients().apps.readNamespacedDeployment({ name, namespace: ns }));
export const serviceAccount = (ns: string, name: string) =>
  maybe(clients().core.readNamespacedServiceAccount({ name, namespace: ns }));
export const role = (ns: string) => maybe(clients().rbac.readNamespacedRole({ name: 'pod-reader', namespace: ns }));
export const roleBinding = (ns: string) =>
  maybe(clients().rbac.readNamespacedRoleBinding({ name: 'read-pods', namespace: ns }));

/** The four children of resource `name`; throws naming the missing ones. */
export async function children(ns: string, name: string) {
  const [d, sa, r, rb] = await Promise.all([deployment(ns, name), serviceAccount(ns, name), role(ns), roleBinding(ns)]);
  if (!d || !sa || !r || !rb) {
    throw new Error(
      `missing: ${[!d && 'Deployment', !sa && 'ServiceAccount', !r && 'Role', !rb && 'RoleBinding'].filter(Boolean)}`,
    );
  }
  return { d, sa, r, rb };
}

/** Until all four children of `name` exist. */
export const waitChildren = (ns: string, name: string, timeoutMs = 60_000) =>
  waitFor(() => children(ns, name), { what: `the four children of ${name}`, timeoutMs });
