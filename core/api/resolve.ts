// Turns a validated spec into the fully resolved settings rendering and status use: schema defaults plus the
// defaults that depend on the resource itself (names, the required contact points fixed in status).
import { parseDuration } from '../settings/value-types.ts';
import { DEFAULTS } from './schema.ts';
import { FORMATION_DEFAULTS } from './schema-formation.ts';
import { type ResolvedSplitBrain, resolveSplitBrain } from './split-brain.ts';
import type {
  ClusterBootstrap,
  ClusterBootstrapSpec,
  FormationStatus,
  PodTemplateRevision,
  Workload,
} from './types.ts';

/**
 * The pods' grace period when the template sets none, for workload pekko: Pekko's coordinated shutdown (leave, shard
 * hand-off, singleton hand-over) may take about 75 s with its default phase timeouts, above Kubernetes' 30 s
 * (docs/pekko.md, "Shutdown").
 */
export const PEKKO_TERMINATION_GRACE_SECONDS = 90;
/** The scale-down step's bound by default: the grace period and this much more. */
export const LEAVE_TIMEOUT_MARGIN_MS = 30_000;

/** spec.lifecycle with its defaults (docs/pekko.md). */
export interface ResolvedLifecycle {
  podDeletionCost: boolean;
  /** lifecycle.appVersion, and workload pekko (the agent has no app version). */
  appVersion: boolean;
  stepwiseScaleDown: boolean;
  leaveTimeoutMs: number;
  podDisruptionBudget: boolean;
}

/** spec.formation with its defaults (docs/pekko.md, "Formation safety"). */
export interface ResolvedFormation {
  coldStart: 'Automatic' | 'Manual';
  coldStartAfterMs: number;
}

export interface Resolved {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  actorSystemName: string;
  serviceName: string;
  workload: Workload;
  agentImage?: string;
  managementPort: number;
  managementPortName: string;
  remotingPort: number;
  /** What status computes with: the fixed value, else (nothing fixed, replicas 0) 1. */
  requiredContactPoints: number;
  /**
   * Whether requiredContactPoints is fixed: the spec's value, the one fixed earlier, or the replica count once it
   * is above 0. Until then it is neither handed to the pods nor written to status.
   */
  requiredContactPointsFixed: boolean;
  stableMargin: string;
  newClusterEnabled: boolean;
  /** The selector as written, with %s. */
  podLabelSelectorTemplate: string;
  /** The selector with %s replaced by serviceName: what discovery lists pods with. */
  podLabelSelector: string;
  serviceAccountName: string;
  /** False when the user named an existing ServiceAccount: the operator then creates none. */
  createServiceAccount: boolean;
  /** spec.splitBrainResolver with Pekko's defaults; undefined: no downing provider. */
  splitBrainResolver?: ResolvedSplitBrain;
  paused: boolean;
  lifecycle: ResolvedLifecycle;
  formation: ResolvedFormation;
  /** The template's own, else PEKKO_TERMINATION_GRACE_SECONDS for workload pekko, else unset (Kubernetes' 30 s). */
  terminationGracePeriodSeconds?: number;
  /**
   * The pod template revision, with the revision-scoped settings the pods are handed (app-version). Not from the
   * spec: the reconcile decides it (operator/lifecycle/revision.ts); unset, none is rendered.
   */
  revision?: PodTemplateRevision;
  /** spec.splitRepair.enabled: restart the pods of all but one cluster when the pods report several. */
  splitRepair: boolean;
  /**
   * When and around which seed the cluster formed, for the Deployment's annotation. Not from the spec: the reconcile
   * records it (operator/lifecycle/formation.ts).
   */
  formed?: FormationRecord;
  /**
   * A cold start is under way: the Deployment replaces every pod at once (strategy Recreate), so that every pod
   * has new-cluster-enabled=on together (operator/lifecycle/formation.ts). Not from the spec.
   */
  coldStart?: boolean;
}

/** What the Deployment's formation annotation keeps. */
export type FormationRecord = Pick<FormationStatus, 'formedAt' | 'seedNode'>;

/**
 * Resolves a spec that validate() accepted (schema defaults already applied).
 * requiredContactPoints: the spec's value, else the one fixed earlier (`status.requiredContactPoints`: the caller
 * passes what it knows), else the replica count when above 0 (a resource created with 0 replicas fixes it at its
 * first non-zero count).
 */
export function resolve(cb: Pick<ClusterBootstrap, 'metadata' | 'status'>, spec: ClusterBootstrapSpec): Resolved {
  const name = cb.metadata.name ?? '';
  const actorSystemName = spec.actorSystemName ?? name;
  const serviceName = spec.serviceName ?? actorSystemName;
  const replicas = spec.replicas ?? DEFAULTS.replicas;
  const template = spec.bootstrap?.podLabelSelector ?? DEFAULTS.podLabelSelector;
  const fixed = spec.bootstrap?.requiredContactPoints ?? cb.status?.requiredContactPoints;
  const workload = spec.workload ?? DEFAULTS.workload;
  return {
    name,
    namespace: cb.metadata.namespace ?? 'default',
    image: spec.image,
    replicas,
    actorSystemName,
    serviceName,
    workload,
    ...(spec.agent?.image ? { agentImage: spec.agent.image } : {}),
    managementPort: spec.management?.port ?? DEFAULTS.managementPort,
    managementPortName: spec.management?.portName ?? DEFAULTS.managementPortName,
    remotingPort: spec.remoting?.port ?? DEFAULTS.remotingPort,
    requiredContactPoints: fixed ?? Math.max(1, replicas),
    requiredContactPointsFixed: fixed !== undefined || replicas > 0,
    stableMargin: spec.bootstrap?.stableMargin ?? DEFAULTS.stableMargin,
    newClusterEnabled: spec.bootstrap?.newClusterEnabled ?? DEFAULTS.newClusterEnabled,
    podLabelSelectorTemplate: template,
    podLabelSelector: template.replace('%s', serviceName),
    serviceAccountName: spec.serviceAccountName ?? name,
    createServiceAccount: spec.serviceAccountName === undefined,
    ...(spec.splitBrainResolver ? { splitBrainResolver: resolveSplitBrain(name, spec.splitBrainResolver) } : {}),
    paused: spec.paused ?? DEFAULTS.paused,
    splitRepair: spec.splitRepair?.enabled ?? DEFAULTS.splitRepair,
    formation: {
      coldStart: spec.formation?.coldStart ?? FORMATION_DEFAULTS.coldStart,
      coldStartAfterMs:
        parseDuration(spec.formation?.coldStartAfter ?? '') ??
        (parseDuration(FORMATION_DEFAULTS.coldStartAfter) as number),
    },
    ...lifecycleOf(spec, workload),
  };
}

function lifecycleOf(
  spec: ClusterBootstrapSpec,
  workload: Workload,
): Pick<Resolved, 'lifecycle' | 'terminationGracePeriodSeconds'> {
  const l = spec.lifecycle ?? {};
  const own = spec.template?.spec?.terminationGracePeriodSeconds;
  const grace = own ?? (workload === 'pekko' ? PEKKO_TERMINATION_GRACE_SECONDS : undefined);
  return {
    lifecycle: {
      podDeletionCost: l.podDeletionCost ?? DEFAULTS.podDeletionCost,
      appVersion: (l.appVersion ?? DEFAULTS.appVersion) && workload === 'pekko',
      stepwiseScaleDown: l.stepwiseScaleDown ?? DEFAULTS.stepwiseScaleDown,
      leaveTimeoutMs:
        (l.leaveTimeout !== undefined ? parseDuration(l.leaveTimeout) : undefined) ??
        (grace ?? 30) * 1000 + LEAVE_TIMEOUT_MARGIN_MS,
      podDisruptionBudget: l.podDisruptionBudget ?? DEFAULTS.podDisruptionBudget,
    },
    ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
  };
}
