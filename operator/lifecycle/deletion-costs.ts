// Keeps pod-deletion-cost on the pods as the plan says (deletion-cost.ts), patching only the pods whose annotations
// differ: a pass where membership did not change patches nothing. Right after a patch the informer cache still holds
// the pod as it was; what was written is remembered until the cache has the pod's new resourceVersion, so a burst of
// reconciles does not patch the same pod twice.
//
// A failing patch never fails the reconcile: the DeletionCostApplied condition says what failed (Forbidden when the
// operator may not patch pods), the next attempt waits 2 s, 4 s, ... up to 5 minutes, and from the third failure
// in a row a Warning Event (DeletionCostFailed) is recorded.
import type { V1Pod } from '@kubernetes/client-node';
import { ConditionReason, ConditionType } from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { httpStatus } from '../errors.ts';
import type { PodPatcher } from '../kube/pod-patcher.ts';
import type { ConditionInput } from '../status/conditions.ts';
import { type CostInput, type CostPlan, planDeletionCosts } from './deletion-cost.ts';

export const RETRY_BASE_MS = 2000;
export const RETRY_MAX_MS = 5 * 60_000;
/** Failures in a row before a Warning Event. */
export const FAILURES_BEFORE_EVENT = 3;

export interface CostEvent {
  type: 'Warning';
  reason: 'DeletionCostFailed';
  note: string;
}

export interface CostOutcome {
  condition: ConditionInput;
  events: CostEvent[];
  /** Set while a failed patch waits for its retry. */
  retryAfterMs?: number;
}

interface Failing {
  failures: number;
  nextTryAt: number;
  condition: ConditionInput;
}

/** pod uid → what was written and the resourceVersion it gave the pod. */
type Written = Map<string, { rv: string; annotations: Record<string, string | null> }>;

/** Whether the cached resourceVersion is at or after `rv` (numeric where both are, as the API server's are). */
function caughtUp(cached: string | undefined, rv: string): boolean {
  if (cached === undefined) return false;
  if (/^\d+$/.test(cached) && /^\d+$/.test(rv)) return BigInt(cached) >= BigInt(rv);
  return cached === rv;
}

export class DeletionCosts {
  private readonly patcher: PodPatcher;
  private readonly clock: Clock;
  private readonly failing = new Map<string, Failing>();
  private readonly written = new Map<string, Written>();

  constructor(o: { patcher: PodPatcher; clock: Clock }) {
    this.patcher = o.patcher;
    this.clock = o.clock;
  }

  /** The pods with what this process wrote laid over the cached annotations, until the cache has caught up. */
  private effective(key: string, pods: readonly V1Pod[]): V1Pod[] {
    const written: Written = this.written.get(key) ?? new Map();
    const live = new Set(pods.map((p) => p.metadata?.uid ?? ''));
    for (const uid of written.keys()) if (!live.has(uid)) written.delete(uid);
    return pods.map((p) => {
      const w = written.get(p.metadata?.uid ?? '');
      if (!w) return p;
      if (caughtUp(p.metadata?.resourceVersion, w.rv)) {
        written.delete(p.metadata?.uid ?? '');
        return p;
      }
      const annotations: Record<string, string> = { ...p.metadata?.annotations };
      for (const [k, v] of Object.entries(w.annotations)) {
        if (v === null) delete annotations[k];
        else annotations[k] = v;
      }
      return { ...p, metadata: { ...p.metadata, annotations } };
    });
  }

  /** Plans and patches one resource's pods ("namespace/name" key). Never throws for a failed patch. */
  async keep(key: string, namespace: string, input: CostInput): Promise<CostOutcome> {
    const plan = planDeletionCosts({ ...input, pods: this.effective(key, input.pods) });
    const now = this.clock.now();
    const failing = this.failing.get(key);
    if (plan.patches.length > 0 && failing && now < failing.nextTryAt) {
      return { condition: failing.condition, events: [], retryAfterMs: failing.nextTryAt - now };
    }
    const written: Written = this.written.get(key) ?? new Map();
    this.written.set(key, written);
    const byName = new Map(input.pods.map((p) => [p.metadata?.name ?? '', p]));
    for (const patch of plan.patches) {
      try {
        const rv = await this.patcher.patchPodAnnotations(namespace, patch.pod, patch.annotations);
        const uid = byName.get(patch.pod)?.metadata?.uid ?? '';
        written.set(uid, { rv, annotations: { ...written.get(uid)?.annotations, ...patch.annotations } });
      } catch (err) {
        if (httpStatus(err) === 404) continue; // the pod is gone: nothing to keep
        return this.failed(key, namespace, err, now);
      }
    }
    this.failing.delete(key);
    return { condition: conditionOf(input.enabled, plan), events: [] };
  }

  private failed(key: string, namespace: string, err: unknown, now: number): CostOutcome {
    const failures = (this.failing.get(key)?.failures ?? 0) + 1;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (failures - 1));
    const forbidden = httpStatus(err) === 403;
    const message = forbidden
      ? `the operator may not patch pods in namespace ${namespace} (403 Forbidden), so pod-deletion-cost is not kept ` +
        'and the ReplicaSet may remove the oldest member first: grant the operator patch on pods (the Helm chart ' +
        'does), or set spec.lifecycle.podDeletionCost to false'
      : `patching pod-deletion-cost failed: ${(err as Error).message}`;
    const condition: ConditionInput = {
      type: ConditionType.DeletionCostApplied,
      status: 'False',
      reason: forbidden ? ConditionReason.Forbidden : ConditionReason.PatchFailed,
      message,
    };
    this.failing.set(key, { failures, nextTryAt: now + delay, condition });
    const events: CostEvent[] =
      failures >= FAILURES_BEFORE_EVENT ? [{ type: 'Warning', reason: 'DeletionCostFailed', note: message }] : [];
    return { condition, events, retryAfterMs: delay };
  }

  forget(key: string): void {
    this.failing.delete(key);
    this.written.delete(key);
  }
}

/** The condition when every patch the plan asked for went through. Pure. */
export function conditionOf(enabled: boolean, plan: CostPlan): ConditionInput {
  const type = ConditionType.DeletionCostApplied;
  if (!enabled) {
    return {
      type,
      status: 'False',
      reason: ConditionReason.Disabled,
      message: 'spec.lifecycle.podDeletionCost is false: the ReplicaSet picks the pods to remove on its own',
    };
  }
  if (plan.ranked.length === 0) {
    return {
      type,
      status: 'Unknown',
      reason: ConditionReason.NoMembership,
      message: `${plan.unknown ?? 'no member to rank'}: pod-deletion-cost is left as it is`,
    };
  }
  const list = plan.ranked.map((m, i) => `${m.pod} ${m.cost}${i === 0 ? ' (oldest)' : ''}`).join(', ');
  return { type, status: 'True', reason: ConditionReason.Annotated, message: `the oldest members last: ${list}` };
}
