// The lifecycle features (spec.lifecycle, docs/pekko.md) as the reconcile uses them, in two calls:
// - prepare(), before the children are applied: the pod template revision (revision.ts) and the Deployment's
//   replicas (scale-down.ts), both fixed from what status and the Deployment recorded;
// - afterObserve(), once the pods' answers are known: the pod-deletion-cost patches (deletion-costs.ts) and the
//   scale-down's next step, as status fields, a condition, Events and a time to look again.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import {
  AGENT_CONTAINER,
  APP_CONTAINER,
  type ClusterBootstrap,
  type ClusterBootstrapStatus,
  type PodTemplateRevision,
  type ScaleDownStatus,
} from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import type { PodPatcher } from '../kube/pod-patcher.ts';
import type { PodView } from '../status/compute.ts';
import type { ConditionInput } from '../status/conditions.ts';
import { POD_DELETION_COST } from './deletion-cost.ts';
import { DeletionCosts } from './deletion-costs.ts';
import { decideRevision, revisionOf, settingsFor, templateHash } from './revision.ts';
import { decideScaleDown, deploymentReplicas } from './scale-down.ts';

/** The resolved resource as it is rendered: with its pod template revision and the scale-down's step as replicas. */
export function prepare(
  cb: ClusterBootstrap,
  r: Resolved,
  previous: ClusterBootstrapStatus | undefined,
  deployment: V1Deployment | undefined,
  pods: readonly V1Pod[] = [],
): Resolved {
  const revision = decideRevision({
    recorded: [previous?.podTemplate, revisionOf(deployment)],
    hash: templateHash(cb, r),
    settingsFor: (n) => settingsFor(n, r),
  });
  const replicas = deploymentReplicas({
    enabled: r.lifecycle.stepwiseScaleDown,
    desired: r.replicas,
    deployment,
    ...(previous?.scaleDown ? { recorded: previous.scaleDown } : {}),
    pods,
  });
  return { ...r, revision, replicas };
}

export interface AfterObserveInput {
  /** "namespace/name" */
  key: string;
  cb: ClusterBootstrap;
  /** As resolved from the spec (replicas: spec.replicas). */
  r: Resolved;
  /** What prepare() rendered; undefined while paused (nothing was applied). */
  rendered: Resolved | undefined;
  previous: ClusterBootstrapStatus | undefined;
  deployment: V1Deployment | undefined;
  /** The resource's pods from the cache, terminating ones included. */
  pods: readonly V1Pod[];
  /** The live pods' latest answers (the observer's). */
  views: readonly PodView[];
}

export interface LifecycleEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  /** events.k8s.io action */
  action: 'Scale' | 'Annotate';
  note: string;
}

export interface LifecycleOutcome {
  podTemplate?: PodTemplateRevision;
  scaleDown?: ScaleDownStatus;
  /** DeletionCostApplied; empty while paused (the stored one stays). */
  conditions: ConditionInput[];
  events: LifecycleEvent[];
  requeueAfterMs?: number;
}

export class Lifecycle {
  private readonly costs: DeletionCosts;
  private readonly clock: Clock;

  constructor(o: { patcher: PodPatcher; clock: Clock }) {
    this.costs = new DeletionCosts(o);
    this.clock = o.clock;
  }

  async afterObserve(i: AfterObserveInput): Promise<LifecycleOutcome> {
    const { r, previous } = i;
    if (!i.rendered) {
      // Paused: nothing is applied or patched; what status recorded stays.
      return {
        ...(previous?.podTemplate ? { podTemplate: previous.podTemplate } : {}),
        ...(previous?.scaleDown ? { scaleDown: previous.scaleDown } : {}),
        conditions: [],
        events: [],
      };
    }
    const templateCost = i.cb.spec.template?.metadata?.annotations?.[POD_DELETION_COST];
    const cost = await this.costs.keep(i.key, r.namespace, {
      views: i.views,
      pods: i.pods,
      memberContainer: r.agentImage !== undefined ? AGENT_CONTAINER : APP_CONTAINER,
      enabled: r.lifecycle.podDeletionCost,
      ...(templateCost !== undefined ? { templateCost } : {}),
    });
    const step = decideScaleDown({
      enabled: r.lifecycle.stepwiseScaleDown,
      desired: r.replicas,
      deployment: i.deployment,
      ...(previous?.scaleDown ? { recorded: previous.scaleDown } : {}),
      pods: i.pods,
      views: i.views,
      nowMs: this.clock.now(),
      leaveTimeoutMs: r.lifecycle.leaveTimeoutMs,
    });
    const waits = [cost.retryAfterMs, step.requeueAfterMs].filter((x): x is number => x !== undefined);
    return {
      ...(i.rendered.revision ? { podTemplate: i.rendered.revision } : {}),
      ...(step.scaleDown ? { scaleDown: step.scaleDown } : {}),
      conditions: [cost.condition],
      events: [
        ...cost.events.map((e) => ({ ...e, action: 'Annotate' as const })),
        ...step.events.map((e) => ({ ...e, action: 'Scale' as const })),
      ],
      ...(waits.length ? { requeueAfterMs: Math.max(0, Math.min(...waits)) } : {}),
    };
  }

  forget(key: string): void {
    this.costs.forget(key);
  }
}
