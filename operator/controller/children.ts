// Applies the children one resource owns alone (the rows of kinds.ts that render one), and removes those it no
// longer renders.
//
// Each child is applied once the children it needs (its row's `needs`) are in place (applied or already as desired);
// the others are applied together, and every child missing from the cache is looked up at once at the start, so a new
// resource costs one round of GETs and three rounds of applies (ServiceAccount, ClusterMembership, Role and
// PodDisruptionBudget; RoleBinding; Deployment), not a dozen calls in a row. The ServiceAccount exists before the
// Deployment's ReplicaSet creates pods that run as it, and a ServiceAccount of that name that is not the operator's
// keeps the RoleBinding and the Deployment from being applied at all (its pods would run as a stranger's account). A
// child the API server refuses (an admission policy, a quota, API-side validation) is an outcome with the API's
// message, not a throw: the reconcile still observes the pods and writes status, then retries with backoff.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { httpStatus } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import { refOf } from '../kube/client.ts';
import { type EnsureOutcome, ensure } from './apply.ts';
import { type Caches, cacheFor, childKinds, renderChildren, watchedKind } from './kinds.ts';
import { isManagedChild } from './ownership.ts';

export type ChildOutcome =
  | EnsureOutcome
  /** A child the resource no longer renders, removed. */
  | { action: 'deleted' }
  /** The API refused the call; `message` is its answer. */
  | { action: 'failed'; message: string; error: unknown }
  /** Not applied: a child before it is not in place. `message` names every child waiting for the same one. */
  | { action: 'waiting'; message: string };

export type ChildResult = readonly [KubernetesObject, ChildOutcome];

export interface ChildrenDeps {
  caches: Caches;
  client: KubeClient;
  onApply?: (kind: string) => void;
}

const describe = (o: KubernetesObject) => `${o.kind} ${o.metadata?.name}`;

export function makeChildren(deps: ChildrenDeps) {
  const { caches, client } = deps;

  /** What the API server has of a child the cache does not hold (undefined: absent), or why it could not be read. */
  type Read = { live: KubernetesObject | undefined } | { error: unknown };

  function lookUp(desired: KubernetesObject): Promise<Read> | undefined {
    const cached = cacheFor(caches, watchedKind(desired.kind)).get(
      desired.metadata?.name ?? '',
      desired.metadata?.namespace ?? '',
    );
    if (cached) return undefined;
    return client.get(refOf(desired)).then(
      (live) => ({ live }),
      (error: unknown) => ({ error }),
    );
  }

  /**
   * Applies one child. When the API server rejects the change as invalid and the kind's row says the child cannot
   * change in place (kinds.ts: recreateWhen), the child is deleted and the next pass creates it.
   */
  async function applyOne(cb: ClusterBootstrap, desired: KubernetesObject, read?: Read): Promise<ChildOutcome> {
    if (read && 'error' in read) return failed(read.error);
    const kind = watchedKind(desired.kind);
    const cached =
      read?.live ?? cacheFor(caches, kind).get(desired.metadata?.name ?? '', desired.metadata?.namespace ?? '');
    try {
      const outcome = await ensure(client, {
        desired,
        cached,
        ...(read ? { read } : {}),
        isManaged: (o) => isManagedChild(o, cb.metadata.name ?? ''),
        onApply: deps.onApply,
      });
      if (outcome.action !== 'conflict' || !kind.conflictHint) return outcome;
      return { action: 'conflict', message: `${outcome.message}; ${kind.conflictHint(desired.metadata?.name ?? '')}` };
    } catch (err) {
      try {
        if (httpStatus(err) === 422 && cached && kind.recreateWhen?.(cached, desired)) {
          await client.delete(refOf(desired));
          return { action: 'updated' };
        }
      } catch (deleteErr) {
        return failed(deleteErr);
      }
      return failed(err);
    }
  }

  /** Deletes the resource's children of a rendered kind that it no longer renders, each once its row allows. */
  async function removeStale(r: Resolved, rendered: KubernetesObject[]): Promise<ChildResult[]> {
    const results: ChildResult[] = [];
    const pods: V1Pod[] = [...caches.Pod.list(r.namespace)];
    for (const kind of childKinds()) {
      const keep = new Set(rendered.filter((d) => d.kind === kind.kind).map((d) => d.metadata?.name));
      for (const live of cacheFor(caches, kind).list(r.namespace)) {
        if (keep.has(live.metadata?.name) || live.metadata?.deletionTimestamp) continue;
        if (!isManagedChild(live, r.name) || (kind.removableWhen && !kind.removableWhen(live, pods))) continue;
        try {
          if (await client.delete(refOf({ ...live, apiVersion: kind.apiVersion, kind: kind.kind }))) {
            results.push([live, { action: 'deleted' }]);
          }
        } catch (err) {
          results.push([live, failed(err)]);
        }
      }
    }
    return results;
  }

  /** Applies one child once the children it needs are settled; not at all if one of them is not in place. */
  async function step(
    cb: ClusterBootstrap,
    desired: KubernetesObject,
    read: Promise<Read> | undefined,
    needed: readonly (readonly [KubernetesObject, Promise<Step>])[],
  ): Promise<Step> {
    const blockers: KubernetesObject[] = [];
    for (const [need, settled] of needed) {
      const s = await settled;
      if ('blockers' in s) blockers.push(...s.blockers);
      else if (s.outcome.action === 'conflict' || s.outcome.action === 'failed') blockers.push(need);
    }
    if (blockers.length) return { blockers: [...new Set(blockers)] };
    return { outcome: await applyOne(cb, desired, await read) };
  }

  return {
    /**
     * Applies the children, each once those it needs are in place, then removes stale ones. One result per child
     * touched or not, in the table's order.
     */
    async apply(cb: ClusterBootstrap, r: Resolved): Promise<ChildResult[]> {
      const rendered = renderChildren(cb, r);
      const reads = rendered.map(lookUp);
      const steps: Promise<Step>[] = [];
      for (const [i, desired] of rendered.entries()) {
        const needs = watchedKind(desired.kind).needs ?? [];
        const needed = rendered.flatMap((d, j) =>
          j < i && needs.includes(d.kind ?? '') ? [[d, steps[j] as Promise<Step>] as const] : [],
        );
        steps.push(step(cb, desired, reads[i], needed));
      }
      const settled = await Promise.all(steps);
      const results = settled.map((s, i): ChildResult => {
        const desired = rendered[i] as KubernetesObject;
        if ('outcome' in s) return [desired, s.outcome];
        // One message per set of blockers, naming every child waiting for them (each of those results carries it).
        const key = waitingFor(s);
        const names = rendered.filter((_, j) => waitingFor(settled[j]) === key).map(describe);
        const verb = (n: number) => (n > 1 ? 'are' : 'is');
        const message = `${names.join(', ')} ${verb(names.length)} not applied until ${key} ${verb(s.blockers.length)} in place`;
        return [desired, { action: 'waiting', message }];
      });
      return [...results, ...(await removeStale(r, rendered))];
    },
  };
}

/** A child's part in one pass: what applying it did, or the children in its way (those not in place it needs). */
type Step = { outcome: ChildOutcome } | { blockers: KubernetesObject[] };

const waitingFor = (s: Step | undefined): string | undefined =>
  s && 'blockers' in s ? s.blockers.map(describe).join(' and ') : undefined;

/** The API's answer (a KubeApiError's message names the call and the object, e.g. `apply Deployment shop/demo: 403 ...`). */
function failed(err: unknown): ChildOutcome {
  return { action: 'failed', message: err instanceof Error ? err.message : String(err), error: err };
}
