// The part of the ClusterBootstrap schema that describes status (what the operator writes on /status). schema.ts
// holds the spec; crd.ts puts both in the CRD.
import type { SchemaNode } from './schema.ts';
import { formationStatusSchema } from './schema-formation.ts';
import { podTemplateStatusSchema, scaleDownStatusSchema } from './schema-lifecycle.ts';
import { splitBrainStatusSchema } from './split-brain.ts';
import { ConditionType, PHASES } from './types.ts';

const conditionTypes = Object.values(ConditionType);
/** "A, B, C and D" */
const listed = (words: readonly string[], and: string) => `${words.slice(0, -1).join(', ')} ${and} ${words.at(-1)}`;

const conditionSchema: SchemaNode = {
  type: 'object',
  description: 'A standard condition (metav1.Condition).',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string', description: `${listed(conditionTypes, 'or')}.` },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' },
    reason: { type: 'string', description: 'A CamelCase word a program can branch on.' },
    message: { type: 'string', description: 'What a person should know, and what to do.' },
    observedGeneration: { type: 'integer', description: 'The metadata.generation this condition was computed for.' },
    lastTransitionTime: { type: 'string', format: 'date-time', description: 'When status last changed.' },
  },
};

export const statusSchema: SchemaNode = {
  type: 'object',
  description: 'What the operator observed: the children, the pods, and what the nodes say about their cluster.',
  properties: {
    observedGeneration: { type: 'integer', description: 'The metadata.generation the status was computed for.' },
    phase: {
      type: 'string',
      enum: [...PHASES],
      description:
        'Pending: children not there yet. Discovering: fewer contact points than required. Forming: enough, no ' +
        'seed yet. Formed: one cluster, every ready pod in it. Degraded: pods report different clusters, or ' +
        'members are unreachable (see message).',
    },
    replicas: { type: 'integer', description: 'Pods of this cluster (the scale subresource reads it).' },
    readyReplicas: { type: 'integer', description: 'Pods whose Ready condition is True.' },
    selector: { type: 'string', description: "The pods' label selector, e.g. app=NAME (for the scale subresource)." },
    readyContactPoints: { type: 'integer', description: 'Contact points whose pod is Ready.' },
    contactPoints: {
      type: 'array',
      description: 'What kubernetes-api discovery returns now, one row per pod.',
      items: {
        type: 'object',
        required: ['pod', 'host', 'port', 'ready'],
        properties: {
          pod: { type: 'string', description: "The pod's name." },
          host: { type: 'string', description: "The pod's IP address." },
          port: { type: 'integer', description: 'The management port probed.' },
          ready: { type: 'boolean', description: "The pod's Ready condition." },
          node: { type: 'string', description: 'The node address the pod reports for itself (selfNode).' },
        },
      },
    },
    seedNode: { type: 'string', description: 'The node the cluster formed around: the oldest Up member.' },
    members: { type: 'integer', description: 'Up members the nodes report.' },
    requiredContactPoints: {
      type: 'integer',
      description:
        'required-contact-point-nr handed to the pods, fixed at the first reconcile with a non-zero replica count.',
    },
    podTemplate: podTemplateStatusSchema,
    scaleDown: scaleDownStatusSchema,
    formation: formationStatusSchema,
    message: { type: 'string', description: 'Why the phase is what it is, in a sentence.' },
    splitBrainResolver: splitBrainStatusSchema,
    conditions: {
      type: 'array',
      description: `${listed(conditionTypes, 'and')}.`,
      items: conditionSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
  },
};
