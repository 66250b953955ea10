// The ClusterBootstrap API (bootstrap.pekko-operator.dev/v1alpha1) as TypeScript types, and the status vocabulary:
// phases, condition types and their reasons. The OpenAPI schema in schema.ts is the source of truth for validation,
// defaults and docs; these types mirror it, and a unit test checks that both list the same status fields.
import type { V1Condition, V1DeploymentStrategy, V1ObjectMeta, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { SplitBrainResolverSpec, SplitBrainResolverStatus } from './split-brain.ts';

export const GROUP = 'bootstrap.pekko-operator.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'ClusterBootstrap';
export const PLURAL = 'clusterbootstraps';
export const SINGULAR = 'clusterbootstrap';
export const SHORT_NAME = 'cb';
export const CATEGORY = 'pekko';

/** The field manager for every server-side apply this operator makes. */
export const FIELD_MANAGER = 'pekko-bootstrap-operator';
/** The shared Role and RoleBinding names, from the seed document. */
export const ROLE_NAME = 'pod-reader';
export const ROLE_BINDING_NAME = 'read-pods';
/** The cluster container's name in the Deployment, and the agent sidecar's. */
export const APP_CONTAINER = 'app';
export const AGENT_CONTAINER = 'bootstrap-agent';
/** On the Deployment's own metadata (it does not roll the pods): the pod template revision, a copy of status.podTemplate. */
export const TEMPLATE_REVISION_ANNOTATION = `${GROUP}/template-revision`;
/** On the Deployment's own metadata: when and around which seed the cluster formed, a copy of status.formation's. */
export const FORMATION_ANNOTATION = `${GROUP}/formation`;

export type Workload = 'pekko' | 'agent';

export interface ClusterBootstrapSpec {
  image: string;
  replicas?: number;
  actorSystemName?: string;
  serviceName?: string;
  workload?: Workload;
  agent?: { image?: string };
  management?: { port?: number; portName?: string };
  remoting?: { port?: number };
  bootstrap?: {
    requiredContactPoints?: number;
    stableMargin?: string;
    newClusterEnabled?: boolean;
    podLabelSelector?: string;
  };
  serviceAccountName?: string;
  strategy?: V1DeploymentStrategy;
  template?: V1PodTemplateSpec;
  /** Pekko's Split Brain Resolver (workload pekko): core/api/split-brain.ts. */
  splitBrainResolver?: SplitBrainResolverSpec;
  paused?: boolean;
  lifecycle?: LifecycleSpec;
  /** Opt-in: when the pods report two or more clusters, restart the pods of all but one (docs/status.md). */
  splitRepair?: { enabled?: boolean };
  formation?: FormationSpec;
}

/** Formation safety: no second cluster, and a cold start after a full outage (docs/pekko.md). */
export interface FormationSpec {
  /** Automatic: a cold start once every member has been gone for coldStartAfter; Manual: the status says what to do. */
  coldStart?: 'Automatic' | 'Manual';
  /** How long every member must be gone before a cold start (a duration, at least 10s). */
  coldStartAfter?: string;
}

/** What the operator does for the months after formation: rollouts, scale-down, shutdown (docs/pekko.md). */
export interface LifecycleSpec {
  /** Keep controller.kubernetes.io/pod-deletion-cost on the pods so that the oldest members go last. */
  podDeletionCost?: boolean;
  /** Hand pekko.cluster.app-version = the pod template revision (workload pekko). */
  appVersion?: boolean;
  /** Lower the Deployment's replicas one member at a time on a scale-down. */
  stepwiseScaleDown?: boolean;
  /** How long one scale-down step waits for its leaver; default: the grace period plus 30 s. */
  leaveTimeout?: string;
  /** A PodDisruptionBudget with maxUnavailable 1. */
  podDisruptionBudget?: boolean;
}

/**
 * The pod template revision: a counter that rises by one with each change of the pod template that rolls the pods,
 * with the revision-scoped settings decided when it started (operator/lifecycle/revision.ts).
 */
export interface PodTemplateRevision {
  revision: number;
  /** The pod template's hash, revision-scoped values left out. */
  hash: string;
  /** pekko.cluster.app-version handed to the pods of this revision (workload pekko with lifecycle.appVersion). */
  appVersion?: string;
  /**
   * new-cluster-enabled handed to the pods of this revision: the spec's value while the cluster never formed, false
   * once it formed, true for a cold start (operator/lifecycle/formation.ts). Absent: the spec's value.
   */
  newClusterEnabled?: boolean;
}

/** When and around which seed the cluster formed, and the cold starts (operator/lifecycle/formation.ts). */
export interface FormationStatus {
  /** When the cluster formed, first or again after a cold start (RFC 3339); absent when only the revision knows. */
  formedAt?: string;
  /** The seed node it formed around. */
  seedNode?: string;
  /** Set while every member is gone: pods Running, none a member, none answering as one (RFC 3339). */
  membersGoneSince?: string;
  /** The latest cold start. */
  coldStart?: ColdStartStatus;
}

export interface ColdStartStatus {
  /** When the operator decided it (RFC 3339). */
  startedAt: string;
  /** The pod template revision that hands every pod new-cluster-enabled=on, once started. */
  revision?: number;
  /** Why, in a sentence. */
  cause: string;
  /** When one cluster formed again; absent while under way. */
  completedAt?: string;
}

/** A scale-down in progress, one member at a time (operator/lifecycle/scale-down.ts). */
export interface ScaleDownStatus {
  /** spec.replicas: where the scale-down ends. */
  target: number;
  /** The Deployment's replicas now: the step being taken. */
  replicas: number;
  /** When this step was taken (RFC 3339). */
  since: string;
  /** What the step waits for, in a sentence. */
  waitingFor?: string;
}

/** The phases in the order a cluster goes through them (Degraded: formed, then split or lost members). */
export const PHASES = ['Pending', 'Discovering', 'Forming', 'Formed', 'Degraded'] as const;
export type Phase = (typeof PHASES)[number];

export interface ContactPointStatus {
  pod: string;
  host: string;
  port: number;
  ready: boolean;
  /** The node address the pod reports as selfNode, when it answered. */
  node?: string;
}

/**
 * The status fields observed on the pods and their answers (operator/status/compute.ts). A write sets them all:
 * a field the observation leaves out is removed from the status.
 */
export interface ObservedStatus {
  phase: Phase;
  /** Why the phase is what it is, in a sentence. */
  message: string;
  readyContactPoints: number;
  contactPoints: ContactPointStatus[];
  /** Absent until a pod reports a cluster. */
  seedNode?: string;
  /** Up members; absent until a pod reports a cluster. */
  members?: number;
}

/** The status as stored: the observed fields (missing until first observed) and what the reconcile sets itself. */
export interface ClusterBootstrapStatus extends Partial<ObservedStatus> {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  selector?: string;
  /** requiredContactPoints as fixed (spec value, else the first non-zero replica count). */
  requiredContactPoints?: number;
  podTemplate?: PodTemplateRevision;
  scaleDown?: ScaleDownStatus;
  /** The resolver handed to the pods and the lease's holder (operator/status/split-brain.ts). */
  splitBrainResolver?: SplitBrainResolverStatus;
  formation?: FormationStatus;
  conditions?: V1Condition[];
}

/**
 * Every status field once, as a value, with who sets it: `observed` (ObservedStatus) or `reconcile`. tsc keeps it
 * equal to the two interfaces above; a unit test (core/api/status-fields.test.ts) keeps it equal to the CRD schema.
 */
export const STATUS_FIELDS = {
  observedGeneration: 'reconcile',
  phase: 'observed',
  replicas: 'reconcile',
  readyReplicas: 'reconcile',
  selector: 'reconcile',
  readyContactPoints: 'observed',
  contactPoints: 'observed',
  seedNode: 'observed',
  members: 'observed',
  requiredContactPoints: 'reconcile',
  podTemplate: 'reconcile',
  scaleDown: 'reconcile',
  formation: 'reconcile',
  message: 'observed',
  splitBrainResolver: 'reconcile',
  conditions: 'reconcile',
} as const satisfies {
  [K in keyof ClusterBootstrapStatus]-?: K extends keyof ObservedStatus ? 'observed' : 'reconcile';
};

/** The observed fields by name, derived from STATUS_FIELDS. */
export const OBSERVED_FIELDS = (Object.keys(STATUS_FIELDS) as (keyof typeof STATUS_FIELDS)[]).filter(
  (f): f is keyof ObservedStatus => STATUS_FIELDS[f] === 'observed',
);

export interface ClusterBootstrap {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: V1ObjectMeta;
  spec: ClusterBootstrapSpec;
  status?: ClusterBootstrapStatus;
}

/** Condition types on the status, in the order a person reads them. */
export const ConditionType = {
  /** Children applied as desired (or why not: invalid spec, conflict, paused). */
  ResourcesReady: 'ResourcesReady',
  /** At least requiredContactPoints contact points are discovered. */
  ContactPointsDiscovered: 'ContactPointsDiscovered',
  /** Every ready pod reports membership of one and the same cluster. */
  ClusterFormed: 'ClusterFormed',
  /** spec.splitBrainResolver lease-majority only: the Lease exists, is the operator's, and its holder is a member. */
  LeaseReady: 'LeaseReady',
  /** The summary. */
  Ready: 'Ready',
  /** pod-deletion-cost follows membership (spec.lifecycle.podDeletionCost); not part of Ready. */
  DeletionCostApplied: 'DeletionCostApplied',
  /**
   * `workload: agent` only, a warning that Ready does not reflect: False when the pods run as the same ServiceAccount
   * as another agent cluster of the namespace created before, whose agents can then write this cluster's
   * ClusterMembership (and the other way round).
   */
  MembershipExclusive: 'MembershipExclusive',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** The reasons the conditions give: one CamelCase word a program can branch on (docs/status.md has the table). */
export const ConditionReason = {
  // ResourcesReady
  /** The Deployment, ServiceAccount, Role and RoleBinding are as desired. */
  Applied: 'Applied',
  /** Applied; waiting for the shared Role and RoleBinding. */
  Progressing: 'Progressing',
  /** spec.paused: the children are not reconciled. */
  Paused: 'Paused',
  /** The spec is invalid: no child is touched. */
  InvalidSpec: 'InvalidSpec',
  /** An object of a child's name is not the operator's. */
  Conflict: 'Conflict',
  /** The API server refused to apply a child (an admission policy, a quota, validation): its message says why. */
  ApplyFailed: 'ApplyFailed',
  // ContactPointsDiscovered (the last four also on Ready: discovery finds the wrong pods)
  Discovered: 'Discovered',
  TooFew: 'TooFew',
  /** bootstrap.podLabelSelector matches none of the resource's pods: Pekko's discovery finds no contact points. */
  SelectorMatchesNone: 'SelectorMatchesNone',
  /** bootstrap.podLabelSelector also matches pods of another ClusterBootstrap: their nodes find each other. */
  SelectorOverlap: 'SelectorOverlap',
  /** Another ClusterBootstrap of the namespace, created before this one, has the same serviceName. */
  ServiceNameConflict: 'ServiceNameConflict',
  /** bootstrap.podLabelSelector is not a selector the API server accepts. */
  SelectorInvalid: 'SelectorInvalid',
  // ClusterFormed and Ready: the phase, or what keeps the cluster from it
  Pending: 'Pending',
  Discovering: 'Discovering',
  Forming: 'Forming',
  Formed: 'Formed',
  /** ClusterFormed: a cluster exists, not every ready pod reports it yet (status Unknown). */
  Confirming: 'Confirming',
  /** Pods report two or more clusters. */
  SplitBrain: 'SplitBrain',
  MembersUnreachable: 'MembersUnreachable',
  /** The pods may not list pods (the namespace's pod-reader/read-pods), and no cluster has formed. */
  PodListForbidden: 'PodListForbidden',
  /** Ready: the cluster is Formed, the children are not as desired. */
  ResourcesNotReady: 'ResourcesNotReady',
  // ClusterFormed and Ready after the cluster formed once (operator/lifecycle/formation.ts)
  /** Every member is gone; the operator cold-starts after spec.formation.coldStartAfter. */
  MembersGone: 'MembersGone',
  /** A cold start is under way: every pod replaced at once with new-cluster-enabled=on. */
  ColdStart: 'ColdStart',
  /** Every member is gone and the operator may not cold-start (Manual, or newClusterEnabled false): what to do. */
  ColdStartRequired: 'ColdStartRequired',
  // DeletionCostApplied
  /** The oldest members carry the highest pod-deletion-cost. */
  Annotated: 'Annotated',
  /** No single cluster whose members name their oldest: costs are left as they are. */
  NoMembership: 'NoMembership',
  /** The operator may not patch pods. */
  Forbidden: 'Forbidden',
  /** Patching pods failed for another reason. */
  PatchFailed: 'PatchFailed',
  /** spec.lifecycle.podDeletionCost is false. */
  Disabled: 'Disabled',
  // ClusterFormed and Ready while Discovering or Forming: why no cluster forms (operator/status/diagnosis.ts)
  /** spec.replicas is below requiredContactPoints: never enough contact points for a new cluster. */
  ReplicasBelowRequired: 'ReplicasBelowRequired',
  /** The Deployment cannot create pods (its ReplicaFailure condition: a quota, an admission policy or webhook). */
  ReplicaFailure: 'ReplicaFailure',
  /** Pods of the resource are not running: a container waiting (ImagePullBackOff, CrashLoopBackOff) or unschedulable. */
  PodsNotRunning: 'PodsNotRunning',
  /** No container port of a pod carries the management port name: Pekko's discovery finds no contact point on it. */
  ManagementPortMissing: 'ManagementPortMissing',
  /** A container port with the management port name is not the management port: Pekko probes the wrong port. */
  ManagementPortMismatch: 'ManagementPortMismatch',
  /** Enough contact points answer, but none formed or joined a cluster after the stable margin plus a bound. */
  FormationStalled: 'FormationStalled',
  // LeaseReady (and Conflict: a Lease of that name is not the operator's)
  /** No member holds the lease: the resolver takes it when it must decide. */
  Free: 'Free',
  /** A member of this cluster holds it. */
  Held: 'Held',
  /** The Lease was deleted by hand; the operator created it again, and no member has taken it since. */
  Recreated: 'Recreated',
  /** The Lease does not exist and the operator cannot create it now (paused, or the API refused). */
  LeaseMissing: 'LeaseMissing',
  /** The holder names a pod of this cluster that no longer exists. */
  HolderGone: 'HolderGone',
  /** The holder is no address of this cluster (another actor system or port). */
  HolderUnknown: 'HolderUnknown',
  // MembershipExclusive
  /** No other agent cluster of the namespace runs as this one's ServiceAccount. */
  OwnServiceAccount: 'OwnServiceAccount',
  /** Another agent cluster of the namespace, created before this one, runs as the same ServiceAccount. */
  ServiceAccountShared: 'ServiceAccountShared',
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];
