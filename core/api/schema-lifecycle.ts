// The parts of the ClusterBootstrap schema that belong to the lifecycle features (spec.lifecycle, status.podTemplate,
// status.scaleDown; operator/lifecycle, docs/pekko.md). schema.ts puts them in place.
import type { SchemaNode } from './schema.ts';

export const LIFECYCLE_DEFAULTS = {
  podDeletionCost: true,
  appVersion: true,
  stepwiseScaleDown: true,
  podDisruptionBudget: true,
} as const;

export const lifecycleSchema: SchemaNode = {
  type: 'object',
  default: {},
  description:
    'Rollouts, scale-down and shutdown that keep the cluster singletons and the shard coordinator where they are ' +
    '(docs/pekko.md). Each feature is on by default and turned off by its field.',
  properties: {
    podDeletionCost: {
      type: 'boolean',
      default: LIFECYCLE_DEFAULTS.podDeletionCost,
      description:
        'Keep controller.kubernetes.io/pod-deletion-cost on the pods of the 3 oldest members (10000, 9900, 9800, ' +
        'the oldest highest), from what the pods report on /cluster/members, so that a scale-down or rolling ' +
        'update removes the oldest member last. The operator needs patch on pods; the app needs nothing.',
    },
    appVersion: {
      type: 'boolean',
      default: LIFECYCLE_DEFAULTS.appVersion,
      description:
        'With workload pekko: hand the pods pekko.cluster.app-version, the pod template revision ' +
        '(status.podTemplate.revision), which rises by one with each change of the pod template and never on ' +
        'scale, so that cluster sharding allocates shards to the new pods during a rollout, and a rollback does ' +
        'not move them back.',
    },
    stepwiseScaleDown: {
      type: 'boolean',
      default: LIFECYCLE_DEFAULTS.stepwiseScaleDown,
      description:
        "On a scale-down, lower the Deployment's replicas one at a time, and take the next step only when the " +
        "previous member has left (gone from the other members' /cluster/members) or leaveTimeout passed. " +
        'status.scaleDown shows the target and the progress.',
    },
    leaveTimeout: {
      type: 'string',
      maxLength: 16,
      description:
        'How long one scale-down step waits for its member to leave before taking the next step anyway (with a ' +
        "Warning Event LeaveTimeout). A whole number and a unit: ms, s, m or h. Defaults to the pods' " +
        'terminationGracePeriodSeconds plus 30s.',
    },
    podDisruptionBudget: {
      type: 'boolean',
      default: LIFECYCLE_DEFAULTS.podDisruptionBudget,
      description:
        'A PodDisruptionBudget named after the resource with maxUnavailable 1, so that a node drain never ' +
        'takes two members at once. False deletes it.',
    },
  },
};

export const podTemplateStatusSchema: SchemaNode = {
  type: 'object',
  description:
    'The pod template revision: a counter that rises by one with each change of the pod template that rolls ' +
    "the pods (never on scale), and the settings decided for it. Also kept on the Deployment's annotation " +
    'bootstrap.pekko-operator.dev/template-revision, so it survives a lost status.',
  properties: {
    revision: { type: 'integer', description: 'The revision: 1 for the first pod template, then +1 per change.' },
    hash: { type: 'string', description: "The pod template's hash, revision-scoped values left out." },
    appVersion: { type: 'string', description: 'pekko.cluster.app-version handed to the pods of this revision.' },
    newClusterEnabled: {
      type: 'boolean',
      description:
        'new-cluster-enabled handed to the pods of this revision: spec.bootstrap.newClusterEnabled while the ' +
        'cluster never formed, false once it formed, true for a cold start (spec.formation). Absent: the spec value.',
    },
  },
};

export const scaleDownStatusSchema: SchemaNode = {
  type: 'object',
  description: 'A scale-down in progress, one member at a time (spec.lifecycle.stepwiseScaleDown).',
  properties: {
    target: { type: 'integer', description: 'spec.replicas: where the scale-down ends.' },
    replicas: { type: 'integer', description: "The Deployment's replicas now: the step being taken." },
    since: { type: 'string', format: 'date-time', description: 'When this step was taken.' },
    waitingFor: { type: 'string', description: 'What the step waits for.' },
  },
};
