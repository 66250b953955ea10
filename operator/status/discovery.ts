// Which pods Pekko's kubernetes-api discovery finds for a resource, and what is wrong when they are not its own pods
// (docs/status.md, "Contact points"). Pekko lists the pods of the namespace with bootstrap.podLabelSelector; the
// operator applies the same selector (core/discovery) to the pods it watches, which are the pods of every
// ClusterBootstrap (the informer is filtered by the managed-by label, so its memory stays with the operator's own
// pods). Pods of other workloads that the selector would also match are not seen. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { type Resolved, resolve } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, ConditionReason } from '../../core/api/types.ts';
import { matchesLabels, parseLabelSelector } from '../../core/discovery/index.ts';
import { INSTANCE_LABEL } from '../render/index.ts';
import { listed } from './caps.ts';

export interface DiscoveryProblem {
  reason: ConditionReason;
  message: string;
}

export interface DiscoveryView {
  /** The pods to probe: what the selector finds, and the resource's own pods (found or not). */
  pods: V1Pod[];
  /** The names of the pods the selector finds: the contact points. */
  found: Set<string>;
  problem?: DiscoveryProblem;
}

const instanceOf = (p: V1Pod) => p.metadata?.labels?.[INSTANCE_LABEL];
const alive = (p: V1Pod) => !p.metadata?.deletionTimestamp;

function createdAt(cb: ClusterBootstrap): number {
  const t = cb.metadata.creationTimestamp;
  const ms = t === undefined ? Number.NaN : new Date(t).getTime();
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/**
 * The first resource of the namespace, created before `r` (ties: by name) and not being deleted, for which `same`
 * holds of its resolved spec: the resource that keeps a shared setting, the later one being the one told.
 */
export function createdBefore(
  r: Resolved,
  all: readonly ClusterBootstrap[],
  same: (other: Resolved) => boolean,
): ClusterBootstrap | undefined {
  const self = all.find((o) => o.metadata.name === r.name);
  const mine = self ? createdAt(self) : Number.POSITIVE_INFINITY;
  return all
    .filter((o) => o.metadata.name !== r.name && !o.metadata.deletionTimestamp)
    .filter((o) => same(resolve(o, o.spec ?? { image: '' })))
    .filter((o) => createdAt(o) < mine || (createdAt(o) === mine && (o.metadata.name ?? '') < r.name))
    .sort((a, b) => createdAt(a) - createdAt(b))[0];
}

/**
 * `pods`: the operator's pods of the namespace (every resource's); `resources`: the namespace's ClusterBootstraps.
 */
export function discoveryView(
  r: Resolved,
  pods: readonly V1Pod[],
  resources: readonly ClusterBootstrap[] = [],
): DiscoveryView {
  const own = pods.filter((p) => instanceOf(p) === r.name);
  const selector = r.podLabelSelector;
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) {
    return {
      pods: own,
      found: new Set(),
      problem: {
        reason: ConditionReason.SelectorInvalid,
        message: `bootstrap.podLabelSelector ${selector} is not a label selector (${parsed.error}): Pekko's pod list fails`,
      },
    };
  }
  const matched = pods.filter((p) => matchesLabels(parsed.terms, p.metadata?.labels ?? {}));
  const found = new Set(matched.map((p) => p.metadata?.name ?? ''));
  const view = { pods: [...matched, ...own.filter((p) => !found.has(p.metadata?.name ?? ''))], found };

  const first = createdBefore(r, resources, (o) => o.serviceName === r.serviceName);
  if (first) {
    return {
      ...view,
      problem: {
        reason: ConditionReason.ServiceNameConflict,
        message:
          `serviceName ${r.serviceName} is also the serviceName of ClusterBootstrap ${first.metadata.name}, created ` +
          `first: the pods of both carry app=${r.serviceName} and a selector such as ${selector} finds both; give ` +
          'this resource its own spec.serviceName',
      },
    };
  }
  const foreign = matched.filter((p) => instanceOf(p) !== r.name && alive(p));
  if (foreign.length > 0) {
    const owners = [...new Set(foreign.map((p) => instanceOf(p) ?? '(none)'))].sort();
    const names = foreign.map((p) => p.metadata?.name ?? '').sort();
    return {
      ...view,
      problem: {
        reason: ConditionReason.SelectorOverlap,
        message:
          `bootstrap.podLabelSelector ${selector} also matches pods of ClusterBootstrap ${listed(owners)} ` +
          `(${listed(names)}): this resource's nodes would discover them as contact points; make the selector match ` +
          "this resource's pods only",
      },
    };
  }
  const ownAlive = own.filter(alive);
  if (ownAlive.length > 0 && !ownAlive.some((p) => found.has(p.metadata?.name ?? ''))) {
    return {
      ...view,
      problem: {
        reason: ConditionReason.SelectorMatchesNone,
        message:
          `bootstrap.podLabelSelector ${selector} matches none of this resource's ${ownAlive.length} ` +
          `pod${ownAlive.length === 1 ? '' : 's'}: Pekko's discovery finds no contact points; add the labels it asks ` +
          'for in spec.template.metadata.labels, or change the selector',
      },
    };
  }
  return view;
}
