// Builds the CustomResourceDefinition from the schema and the rules. `make generate` writes it to
// crds/clusterbootstrap.yaml; a unit test fails when that file is stale.
import { crdEnvelope } from './crd-envelope.ts';
import { RULES } from './rules.ts';
import { type SchemaNode, specSchema } from './schema.ts';
import { statusSchema } from './schema-status.ts';
import { KIND, PLURAL, SHORT_NAME, SINGULAR } from './types.ts';

function withRules(root: SchemaNode): SchemaNode {
  const copy = structuredClone(root);
  for (const r of RULES) {
    let node = copy;
    for (const key of r.at) {
      const next = node.properties?.[key];
      if (!next) throw new Error(`rule ${r.rule}: no schema node at ${r.at.join('.')}`);
      node = next;
    }
    node['x-kubernetes-validations'] ??= [];
    node['x-kubernetes-validations'].push({
      rule: r.rule,
      message: r.message,
      ...(r.fieldPath ? { fieldPath: r.fieldPath } : {}),
    });
  }
  return stripEmpty(copy);
}

function stripEmpty(node: SchemaNode): SchemaNode {
  if (node['x-kubernetes-validations']?.length === 0) delete node['x-kubernetes-validations'];
  for (const child of Object.values(node.properties ?? {})) stripEmpty(child);
  if (node.items) stripEmpty(node.items);
  return node;
}

export function buildCrd() {
  const openAPIV3Schema = withRules({
    type: 'object',
    description:
      'ClusterBootstrap runs an Apache Pekko cluster that forms itself with Pekko Cluster Bootstrap and ' +
      'kubernetes-api discovery. From a few fields the operator builds the Deployment, ServiceAccount, Role ' +
      'pod-reader and RoleBinding read-pods, keeps them right, and reports what the nodes say about their cluster.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'bootstrap.pekko-operator.dev/v1alpha1' },
      kind: { type: 'string', description: 'ClusterBootstrap' },
      metadata: { type: 'object' },
      spec: specSchema,
      status: statusSchema,
    },
  });
  return crdEnvelope({
    kind: KIND,
    plural: PLURAL,
    singular: SINGULAR,
    shortNames: [SHORT_NAME],
    subresources: {
      status: {},
      scale: {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.status.selector',
      },
    },
    additionalPrinterColumns: [
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired pods.' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Ready pods.' },
      {
        name: 'Contact Points',
        type: 'integer',
        jsonPath: '.status.readyContactPoints',
        description: 'Ready contact points.',
      },
      {
        name: 'Seed',
        type: 'string',
        jsonPath: '.status.seedNode',
        description: 'The node the cluster formed around.',
      },
      {
        name: 'Phase',
        type: 'string',
        jsonPath: '.status.phase',
        description: 'Pending, Discovering, Forming, Formed or Degraded.',
      },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Members', type: 'integer', jsonPath: '.status.members', priority: 1, description: 'Up members.' },
      {
        name: 'Required',
        type: 'integer',
        jsonPath: '.status.requiredContactPoints',
        priority: 1,
        description: 'Required contact points.',
      },
      {
        name: 'Workload',
        type: 'string',
        jsonPath: '.spec.workload',
        priority: 1,
        description: 'pekko or agent.',
      },
      {
        name: 'SBR',
        type: 'string',
        jsonPath: '.status.splitBrainResolver.strategy',
        priority: 1,
        description: 'The split brain resolver strategy handed to the pods.',
      },
      {
        name: 'Lease Holder',
        type: 'string',
        jsonPath: '.status.splitBrainResolver.lease.holder',
        priority: 1,
        description: "lease-majority: the member holding the resolver's Lease.",
      },
      {
        name: 'Held For',
        type: 'date',
        jsonPath: '.status.splitBrainResolver.lease.holderSince',
        priority: 1,
        description: 'Since when the holder holds it.',
      },
      {
        name: 'Message',
        type: 'string',
        jsonPath: '.status.message',
        priority: 1,
        description: 'Why the phase is what it is.',
      },
    ],
    openAPIV3Schema,
  });
}
