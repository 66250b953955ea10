// The parts of the ClusterBootstrap schema that belong to formation safety (spec.formation, status.formation;
// operator/lifecycle/formation.ts, docs/pekko.md "Formation safety"). schema.ts puts them in place.
import type { SchemaNode } from './schema.ts';

export const COLD_START_MODES = ['Automatic', 'Manual'] as const;

export const FORMATION_DEFAULTS = {
  coldStart: 'Automatic',
  coldStartAfter: '60s',
} as const;

/** The shortest coldStartAfter accepted: a few probe rounds of the operator (2 s each while not Formed). */
export const MIN_COLD_START_AFTER = '10s';

export const formationSchema: SchemaNode = {
  type: 'object',
  default: {},
  description:
    'Formation safety (docs/pekko.md). Once the cluster has formed, pods rendered with the next change of the ' +
    'pod template may only join (new-cluster-enabled=off), so that no second cluster forms. A full outage (every ' +
    'member gone) then needs a cold start: a new cluster formed on purpose.',
  properties: {
    coldStart: {
      type: 'string',
      enum: [...COLD_START_MODES],
      default: FORMATION_DEFAULTS.coldStart,
      description:
        'Automatic: when every member has been gone for coldStartAfter (pods Running, none a member, none answering ' +
        'as one), the operator replaces all pods at once with new-cluster-enabled=on (Warning Event ColdStart). ' +
        'Manual: it does not; the status message says what to do.',
    },
    coldStartAfter: {
      type: 'string',
      maxLength: 16,
      default: FORMATION_DEFAULTS.coldStartAfter,
      description:
        'How long every member must be gone before a cold start. A whole number and a unit: ms, s, m or h; at ' +
        `least ${MIN_COLD_START_AFTER}.`,
    },
  },
};

export const formationStatusSchema: SchemaNode = {
  type: 'object',
  description:
    "The cluster's formation: when and around which seed it formed, whether every member is gone, and the latest " +
    "cold start. Also kept on the Deployment's annotation bootstrap.pekko-operator.dev/formation.",
  properties: {
    formedAt: {
      type: 'string',
      format: 'date-time',
      description:
        'When the cluster formed (first, or again after a cold start). Absent when only the pod template ' +
        'revision still says that it formed (the other records were lost).',
    },
    seedNode: { type: 'string', description: 'The seed node it formed around (the oldest Up member then).' },
    membersGoneSince: {
      type: 'string',
      format: 'date-time',
      description: 'Set while every member is gone: pods Running, none a member, none answering as one.',
    },
    coldStart: {
      type: 'object',
      description: 'The latest cold start.',
      properties: {
        startedAt: { type: 'string', format: 'date-time', description: 'When the operator decided it.' },
        revision: {
          type: 'integer',
          description: 'The pod template revision that hands every pod new-cluster-enabled=on.',
        },
        cause: { type: 'string', description: 'Why, in a sentence.' },
        completedAt: {
          type: 'string',
          format: 'date-time',
          description: 'When one cluster formed again; absent while it is under way.',
        },
      },
    },
  },
};
