// Applies the children one resource owns alone (the rows of kinds.ts that render one), and removes those it no
// longer renders.
//
// In order: each child is applied only once every child before it is in place (applied or already as desired), so
// the ServiceAccount exists before the Deployment's ReplicaSet creates pods that run as it, and a ServiceAccount of
// that name that is not the operator's keeps the Deployment from being applied at all (its pods would run as a
// stranger's account). A child the API server refuses (an admission policy, a quota, API-side validation) is an
// outcome with the API's message, not a throw: the reconcile still observes the pods and writes status, then
// retries with backoff.
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

  /**
   * Applies one child. When the API server rejects the change as invalid and the kind's row says the child cannot
   * change in place (kinds.ts: recreateWhen), the child is deleted and the next pass creates it.
   */
  async function applyOne(cb: ClusterBootstrap, desired: KubernetesObject): Promise<ChildOutcome> {
    const kind = watchedKind(desired.kind);
    const cached = cacheFor(caches, kind).get(desired.metadata?.name ?? '', desired.metadata?.namespace ?? '');
    try {
      const outcome = await ensure(client, {
        desired,
        cached,
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

  return {
    /** Applies the children in the table's order, then removes stale ones. One result per child touched or not. */
    async apply(cb: ClusterBootstrap, r: Resolved): Promise<ChildResult[]> {
      const rendered = renderChildren(cb, r);
      const results: ChildResult[] = [];
      for (const [i, desired] of rendered.entries()) {
        const outcome = await applyOne(cb, desired);
        results.push([desired, outcome]);
        if (outcome.action === 'conflict' || outcome.action === 'failed') {
          // The children after it wait; one message names them all (every waiting result carries it).
          const rest = rendered.slice(i + 1);
          const names = rest.map(describe).join(', ');
          const message = `${names} ${rest.length > 1 ? 'are' : 'is'} not applied until ${describe(desired)} is in place`;
          for (const w of rest) results.push([w, { action: 'waiting', message }]);
          break;
        }
      }
      return [...results, ...(await removeStale(r, rendered))];
    },
  };
}

/** The API's answer (a KubeApiError's message names the call and the object, e.g. `apply Deployment shop/demo: 403 ...`). */
function failed(err: unknown): ChildOutcome {
  return { action: 'failed', message: err instanceof Error ? err.message : String(err), error: err };
}
