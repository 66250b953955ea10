// The lifecycle features (spec.lifecycle, spec.formation, docs/pekko.md) as the reconcile uses them, in two calls:
// - prepare(), before the children are applied: the pod template revision (revision.ts) with its formation setting
//   and a cold start under way (formation.ts), and the Deployment's replicas (scale-down.ts), all fixed from what
//   status and the Deployment recorded;
// - afterObserve(), once the pods' answers are known: the pod-deletion-cost patches (deletion-costs.ts), the
//   scale-down's next step and the formation record (whether every member is gone, a cold start), as status fields,
//   a condition, Events, what the status message must say and a time to look again.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import {
  AGENT_CONTAINER,
  APP_CONTAINER,
  type ClusterBootstrap,
  type ClusterBootstrapStatus,
  type FormationStatus,
  type ObservedStatus,
  type PodTemplateRevision,
  type ScaleDownStatus,
} from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import type { PodPatcher } from '../kube/pod-patcher.ts';
import type { PodView } from '../status/compute.ts';
import type { ConditionInput } from '../status/conditions.ts';
import { POD_DELETION_COST } from './deletion-cost.ts';
import { DeletionCosts } from './deletion-costs.ts';
import {
  coldStartPending,
  decideFormation,
  type FormationProblem,
  formationRecord,
  hasFormed,
  recordedFormation,
} from './formation.ts';
import { membersGone } from './members-gone.ts';
import { decideRevision, latestRevision, revisionOf, settingsFor, templateHash } from './revision.ts';
import { decideScaleDown, deploymentReplicas } from './scale-down.ts';

/** The resolved resource as it is rendered: with its pod template revision and the scale-down's step as replicas. */
export function prepare(
  cb: ClusterBootstrap,
  r: Resolved,
  previous: ClusterBootstrapStatus | undefined,
  deployment: V1Deployment | undefined,
  pods: readonly V1Pod[] = [],
): Resolved {
  const recorded = [previous?.podTemplate, revisionOf(deployment)];
  const formation = recordedFormation(previous?.formation, deployment);
  const coldStart = coldStartPending(formation);
  const facts = {
    formed: hasFormed(formation, latestRevision(recorded), r),
    coldStart,
    recreate: cb.spec.strategy?.type === 'Recreate',
  };
  const revision = decideRevision({
    recorded,
    hash: templateHash(cb, r),
    settingsFor: (n) => settingsFor(n, r, facts),
    // A cold start needs a revision whose pods may all form (formation.ts).
    keeps: (latest) => !coldStart || latest.newClusterEnabled !== false,
  });
  const formed = formationRecord(formation);
  const replicas = deploymentReplicas({
    enabled: r.lifecycle.stepwiseScaleDown,
    desired: r.replicas,
    deployment,
    ...(previous?.scaleDown ? { recorded: previous.scaleDown } : {}),
    pods,
  });
  return { ...r, revision, replicas, ...(formed ? { formed } : {}), ...(coldStart ? { coldStart } : {}) };
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
  /** This pass's observation: whether and around which seed the cluster is formed. */
  observed?: Pick<ObservedStatus, 'phase' | 'seedNode'>;
}

export interface LifecycleEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  /** events.k8s.io action */
  action: 'Scale' | 'Annotate' | 'Form';
  note: string;
}

export interface LifecycleOutcome {
  podTemplate?: PodTemplateRevision;
  scaleDown?: ScaleDownStatus;
  formation?: FormationStatus;
  /** DeletionCostApplied; empty while paused (the stored one stays). */
  conditions: ConditionInput[];
  events: LifecycleEvent[];
  /** Set while every member is gone: what the status message and ClusterFormed/Ready must say instead. */
  formationProblem?: FormationProblem;
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
    const memberContainer = r.agentImage !== undefined ? AGENT_CONTAINER : APP_CONTAINER;
    // Observed while paused too (no cold start is started then).
    const form = decideFormation({
      nowMs: this.clock.now(),
      r,
      recorded: recordedFormation(previous?.formation, i.deployment),
      revision: i.rendered?.revision ?? previous?.podTemplate,
      observed: i.observed ?? {},
      gone: membersGone(i.pods, i.views, memberContainer),
    });
    const formation = {
      ...(form.formation ? { formation: form.formation } : {}),
      ...(form.problem ? { formationProblem: form.problem } : {}),
    };
    const formationEvents = form.events.map((e) => ({ ...e, action: 'Form' as const }));
    if (!i.rendered) {
      // Paused: nothing is applied or patched; what status recorded stays.
      return {
        ...(previous?.podTemplate ? { podTemplate: previous.podTemplate } : {}),
        ...(previous?.scaleDown ? { scaleDown: previous.scaleDown } : {}),
        ...formation,
        conditions: [],
        events: formationEvents,
        ...(form.requeueAfterMs !== undefined ? { requeueAfterMs: form.requeueAfterMs } : {}),
      };
    }
    const templateCost = i.cb.spec.template?.metadata?.annotations?.[POD_DELETION_COST];
    const cost = await this.costs.keep(i.key, r.namespace, {
      views: i.views,
      pods: i.pods,
      memberContainer,
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
    const waits = [cost.retryAfterMs, step.requeueAfterMs, form.requeueAfterMs].filter(
      (x): x is number => x !== undefined,
    );
    return {
      ...(i.rendered.revision ? { podTemplate: i.rendered.revision } : {}),
      ...(step.scaleDown ? { scaleDown: step.scaleDown } : {}),
      ...formation,
      conditions: [cost.condition],
      events: [
        ...cost.events.map((e) => ({ ...e, action: 'Annotate' as const })),
        ...step.events.map((e) => ({ ...e, action: 'Scale' as const })),
        ...formationEvents,
      ],
      ...(waits.length ? { requeueAfterMs: Math.max(0, Math.min(...waits)) } : {}),
    };
  }

  forget(key: string): void {
    this.costs.forget(key);
  }
}
