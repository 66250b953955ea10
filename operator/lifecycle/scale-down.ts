// One member leaves at a time: on a scale-down the Deployment's replicas go down by one, and the next step is taken
// only when the previous leaver is gone: the Deployment and its ReplicaSet have caught up, no pod of the cluster is
// terminating, and no live pod's /cluster/members still lists a member without a live pod or one that is leaving.
// After leaveTimeout the next step is taken anyway, with a Warning Event. A scale-up, or a new spec.replicas at or
// above the step, applies at once. The step is kept in status.scaleDown, which the next pass renders the Deployment
// from, so that a restarted operator carries on where it was. Pure: time is an argument.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { ScaleDownStatus } from '../../core/api/types.ts';
import { hostOf, type PodView } from '../status/compute.ts';
import { metaTime } from '../status/conditions.ts';

/** How often a step in progress is looked at again without an event. */
export const STEP_RECHECK_MS = 2000;

const LEAVING = new Set(['Leaving', 'Exiting', 'Down', 'Removed']);

export interface ScaleInput {
  /** spec.lifecycle.stepwiseScaleDown */
  enabled: boolean;
  /** spec.replicas */
  desired: number;
  /** The Deployment from the cache. */
  deployment?: V1Deployment;
  /** status.scaleDown as last written. */
  recorded?: ScaleDownStatus;
  /** The resource's pods from the cache, terminating ones included. */
  pods: readonly V1Pod[];
}

/**
 * The replicas to render the Deployment with. Pure. The steps go down from where the cluster is: the Deployment's
 * replicas, or fewer when fewer pods run (a replica count raised by hand that no pod follows yet is drift, repaired
 * at once, not walked down).
 */
export function deploymentReplicas(i: ScaleInput): number {
  const spec = i.deployment?.spec?.replicas;
  if (!i.enabled || spec === undefined) return i.desired;
  const live = Math.min(spec, i.pods.filter((p) => !p.metadata?.deletionTimestamp).length);
  if (i.desired >= live) return i.desired;
  // The step recorded, else where the cluster is: never above it, never below the target.
  return Math.min(live, Math.max(i.desired, i.recorded?.replicas ?? live));
}

export interface StepInput extends ScaleInput {
  /** The live pods' latest answers. */
  views: readonly PodView[];
  nowMs: number;
  leaveTimeoutMs: number;
}

export interface ScaleEvent {
  type: 'Normal' | 'Warning';
  reason: 'ScaleDownStep' | 'ScaledDown' | 'LeaveTimeout';
  note: string;
}

export interface StepDecision {
  /** The new status.scaleDown; undefined: no scale-down in progress. */
  scaleDown?: ScaleDownStatus;
  events: ScaleEvent[];
  requeueAfterMs?: number;
}

/** What the step to `n` replicas still waits for; undefined when its leaver is gone. Pure. */
export function waitingFor(i: Pick<StepInput, 'deployment' | 'pods' | 'views'>, n: number): string | undefined {
  const d = i.deployment;
  if (d?.spec?.replicas !== n || (d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
    return `the Deployment to take replicas ${n}`;
  }
  const live = i.pods.filter((p) => !p.metadata?.deletionTimestamp);
  if ((d.status?.replicas ?? 0) > n || live.length > n) return 'the ReplicaSet to pick a pod to remove';
  const terminating = i.pods.filter((p) => p.metadata?.deletionTimestamp).map((p) => p.metadata?.name);
  if (terminating.length) return `pod ${terminating.join(', ')} to finish leaving and terminate`;
  const hosts = new Set(live.map((p) => p.status?.podIP).filter(Boolean));
  const listed = new Set<string>();
  for (const v of i.views) {
    if (!v.answer?.members || v.error) continue;
    for (const m of v.answer.members.list) {
      if (LEAVING.has(m.status) || !hosts.has(hostOf(m.node))) listed.add(m.node);
    }
  }
  if (listed.size) return `${[...listed].sort().join(', ')} to be gone from the other members' /cluster/members`;
  return undefined;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/** The scale-down's next state, after the pods were observed. Pure. */
export function decideScaleDown(i: StepInput): StepDecision {
  const current = deploymentReplicas(i);
  const rec = i.recorded;
  // At the target, a record of the step to it means its leaver may still be leaving; any other (a scale-up) ends it.
  const last = current === i.desired && rec?.replicas === current;
  if (!i.enabled || !i.deployment || current < i.desired || (current === i.desired && !last)) return { events: [] };
  const since = rec?.replicas === current ? Date.parse(rec.since) || i.nowMs : i.nowMs;
  const waiting = waitingFor(i, current);
  const overdue = waiting !== undefined && i.nowMs - since >= i.leaveTimeoutMs;
  const events: ScaleEvent[] = [];
  if (overdue) {
    events.push({
      type: 'Warning',
      reason: 'LeaveTimeout',
      note:
        `the scale-down step to ${current} replicas waited ${seconds(i.nowMs - since)} (spec.lifecycle.leaveTimeout) ` +
        `for ${waiting}; ${current > i.desired ? 'taking the next step anyway' : 'the scale-down ends anyway'}`,
    });
  }
  if (waiting !== undefined && !overdue) {
    const scaleDown = { target: i.desired, replicas: current, since: metaTime(since), waitingFor: waiting };
    return { scaleDown, events, requeueAfterMs: Math.min(STEP_RECHECK_MS, since + i.leaveTimeoutMs - i.nowMs) };
  }
  if (current === i.desired) {
    events.push({ type: 'Normal', reason: 'ScaledDown', note: `scaled down to ${current}, one member at a time` });
    return { events };
  }
  const next = current - 1;
  events.push({
    type: 'Normal',
    reason: 'ScaleDownStep',
    note: `replicas ${current} → ${next} (target ${i.desired}): one member leaves at a time`,
  });
  const scaleDown = {
    target: i.desired,
    replicas: next,
    since: metaTime(i.nowMs),
    waitingFor: `the Deployment to take replicas ${next}`,
  };
  return { scaleDown, events, requeueAfterMs: STEP_RECHECK_MS };
}
