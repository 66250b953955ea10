// The status reconcile writes: pure composition (desiredStatus), the merge patch between what is stored and what
// should be (statusPatch: undefined when nothing changed, so nothing is written), and the writer that remembers
// its last write until the informer cache has caught up with it.
import type { V1Deployment } from '@kubernetes/client-node';
import { type ClusterBootstrap, type ClusterBootstrapStatus, ConditionType } from '../../core/api/types.ts';
import { keyOf } from '../kernel/key.ts';
import type { KubeClient } from '../kube/client.ts';
import { canonicalJson } from './apply.ts';
import { type ConditionInput, setCondition } from './conditions.ts';
import type { ObservedStatus } from './observer.ts';

export interface StatusInput {
  prev: ClusterBootstrapStatus | undefined;
  generation: number | undefined;
  nowMs: number;
  resourcesReady: ConditionInput;
  /** Undefined when the spec is invalid: the stored value is kept. */
  requiredContactPoints?: number;
  /** Undefined when the spec is invalid: the stored value is kept. */
  selector?: string;
  deployment?: V1Deployment;
  /** Undefined when there was no observation (invalid spec): the stored observed fields are kept. */
  observed?: ObservedStatus;
}

const OBSERVED_FIELDS = ['phase', 'message', 'readyContactPoints', 'contactPoints', 'seedNode', 'members'] as const;

export function desiredStatus(i: StatusInput): ClusterBootstrapStatus {
  const prev = i.prev ?? {};
  const out: ClusterBootstrapStatus = {};
  if (i.generation !== undefined) out.observedGeneration = i.generation;
  if (i.observed) {
    for (const f of OBSERVED_FIELDS) {
      const v = i.observed[f];
      if (v !== undefined) (out as Record<string, unknown>)[f] = v;
    }
  } else {
    for (const f of OBSERVED_FIELDS) if (prev[f] !== undefined) (out as Record<string, unknown>)[f] = prev[f];
  }
  out.replicas = i.deployment?.status?.replicas ?? 0;
  out.readyReplicas = i.deployment?.status?.readyReplicas ?? 0;
  const selector = i.selector ?? prev.selector;
  if (selector !== undefined) out.selector = selector;
  const required = i.requiredContactPoints ?? prev.requiredContactPoints;
  if (required !== undefined) out.requiredContactPoints = required;
  let conditions = setCondition(prev.conditions, i.resourcesReady, i.generation, i.nowMs);
  for (const c of i.observed?.conditions ?? []) {
    if (c.type !== ConditionType.ResourcesReady) conditions = setCondition(conditions, c, i.generation, i.nowMs);
  }
  out.conditions = conditions;
  return out;
}

/** A JSON merge patch from current to desired over the status fields; undefined when they are equal. */
export function statusPatch(
  current: ClusterBootstrapStatus | undefined,
  desired: ClusterBootstrapStatus,
): Record<string, unknown> | undefined {
  const cur = (current ?? {}) as Record<string, unknown>;
  const want = desired as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(cur), ...Object.keys(want)])) {
    if (canonicalJson(cur[k]) !== canonicalJson(want[k])) patch[k] = want[k] ?? null;
  }
  return Object.keys(patch).length ? patch : undefined;
}

/**
 * Writes status with a merge patch on /status, only when it changed. Right after a write the informer cache still
 * holds the old status; the writer remembers what it wrote, keyed by the cached resourceVersion at the time, and
 * uses that until the cache has moved on, so a burst of events does not write the same status twice.
 */
export class StatusWriter {
  private readonly client: KubeClient;
  private readonly written = new Map<string, { rv: string | undefined; status: ClusterBootstrapStatus }>();

  constructor(client: KubeClient) {
    this.client = client;
  }

  /** The status as last written by this process, or as cached once the cache has caught up. */
  effective(cb: ClusterBootstrap): ClusterBootstrapStatus | undefined {
    const key = keyOf(cb);
    const w = this.written.get(key);
    if (w && w.rv === cb.metadata.resourceVersion) return w.status;
    if (w) this.written.delete(key);
    return cb.status;
  }

  /** Patches the status to `desired` if it differs from the effective one. True when it wrote. */
  async write(cb: ClusterBootstrap, desired: ClusterBootstrapStatus): Promise<boolean> {
    const patch = statusPatch(this.effective(cb), desired);
    if (!patch) return false;
    await this.client.patchClusterBootstrapStatus(cb.metadata.namespace ?? '', cb.metadata.name ?? '', patch);
    this.written.set(keyOf(cb), { rv: cb.metadata.resourceVersion, status: desired });
    return true;
  }

  forget(key: string): void {
    this.written.delete(key);
  }
}
