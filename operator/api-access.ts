// Every call the operator makes to the Kubernetes API, as RBAC rules: what the chart grants, no more and no less
// (charts/tests/render-default.test.ts compares the two, and the table in docs/operator.md is checked against it).
// Most of it follows from the table of watched kinds (controller/kinds.ts); the rest is listed by hand below, each
// with the code that makes the call.
import { GROUP, PLURAL } from '../core/api/types.ts';
import { WATCHED } from './controller/kinds.ts';
import { membershipRules } from './render/membership.ts';
import { POD_READER_RULES } from './render/shared-rbac.ts';

export interface Access {
  group: string;
  resource: string;
  verbs: readonly string[];
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '');

/** The rules the chart's ClusterRole (or namespaced Roles) must hold: everything but the Lease. */
export function reconcileAccess(): Access[] {
  const byResource = new Map<string, Access>();
  const add = (group: string, resource: string, verbs: readonly string[]) => {
    const key = `${group}/${resource}`;
    const prev = byResource.get(key)?.verbs ?? [];
    byResource.set(key, { group, resource, verbs: [...new Set([...prev, ...verbs])] });
  };
  for (const kind of Object.values(WATCHED)) {
    const group = groupOf(kind.apiVersion);
    // Informers list and watch every kind (kernel/informer.ts).
    add(group, kind.plural, ['list', 'watch']);
    // Children and the shared objects: GET on a cache miss, server-side apply (a patch, which needs create when the
    // object is new), delete (a child no longer rendered or immutable, the shared objects with the last resource).
    if ('render' in kind || kind.role === 'shared') add(group, kind.plural, ['get', 'create', 'patch', 'delete']);
  }
  // Creating and binding pod-reader, and an agent cluster's <name>-membership Role, needs every permission they grant
  // (RBAC escalation prevention): for the latter, update on clustermemberships/status, which the operator never uses.
  for (const rule of [...POD_READER_RULES, ...membershipRules('any')]) {
    for (const group of rule.apiGroups ?? []) for (const r of rule.resources ?? []) add(group, r, rule.verbs);
  }
  // The pods' deletion cost (kube/pod-patcher.ts: a merge patch of one annotation).
  add('', 'pods', ['patch']);
  // The status merge patch (controller/status-writer.ts), Events (controller/event-recorder.ts).
  add(GROUP, `${PLURAL}/status`, ['patch']);
  add('events.k8s.io', 'events', ['create']);
  // Whether the pods' accounts may list pods (kube/access-review.ts): namespaced reviews, so a Role can grant it.
  add('authorization.k8s.io', 'localsubjectaccessreviews', ['create']);
  // Split repair deletes the pods of the clusters it does not keep (controller/split-repair.ts).
  add('', 'pods', ['delete']);
  // A lease-majority cluster's Lease (kube/sbr-leases.ts: read, create when missing, delete with the resource). update
  // is never called, but granting the pods get and update on it (render/split-brain-lease.ts) needs both.
  add('coordination.k8s.io', 'leases', ['get', 'create', 'update', 'delete']);
  return [...byResource.values()];
}

/** Leader election (kernel/leader.ts: read, create, replace), a Role in the release namespace. */
export function leaseAccess(): Access[] {
  return [{ group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'] }];
}

/** Rules as sorted "group/resource:verb" triples, so that grouping and order do not matter. */
export function accessTriples(access: readonly Access[]): string[] {
  return access.flatMap((a) => a.verbs.map((v) => `${a.group}/${a.resource}:${v}`)).sort();
}
