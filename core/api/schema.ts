// The ClusterBootstrap OpenAPI v3 schema: the one source of truth for the CRD (crds/clusterbootstrap.yaml is generated
// from it by `make generate`), for the operator's ajv validation, for the defaults and for docs/reference.md.
//
// Every field has a description written for `kubectl explain`. Rules the schema alone cannot express are CEL
// (x-kubernetes-validations), evaluated by the API server; each has a TypeScript twin in rules.ts so that the operator
// rejects the same specs when the CRD was installed without them (or an older CRD is still in place). The status
// part is in schema-status.ts.

import { formationSchema } from './schema-formation.ts';
import { LIFECYCLE_DEFAULTS, lifecycleSchema } from './schema-lifecycle.ts';
import { SPLIT_REPAIR_DEFAULTS, splitRepairSchema } from './schema-split-repair.ts';
import { splitBrainSpecSchema } from './split-brain.ts';

/** A JSON schema node as the CRD's structural schema allows it (a subset of OpenAPI v3 plus Kubernetes extensions). */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  enum?: (string | number | boolean)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  anyOf?: SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string; reason?: string }[];
}

export const DEFAULTS = {
  replicas: 3,
  workload: 'pekko',
  managementPort: 7626,
  managementPortName: 'management',
  remotingPort: 17355,
  stableMargin: '5s',
  newClusterEnabled: true,
  podLabelSelector: 'app=%s',
  paused: false,
  ...LIFECYCLE_DEFAULTS,
  ...SPLIT_REPAIR_DEFAULTS,
} as const;

/** Pekko's ActorSystem name rule, and a label value's limit (the name is the `actorSystemName` label). */
export const ACTOR_SYSTEM_NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_-]*$';
/** A label value (the serviceName is the pods' `app` label). */
export const LABEL_VALUE_PATTERN = '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
/** A container port name (IANA_SVC_NAME): lower-case letters, digits and '-', at most 15, at least one letter. */
export const PORT_NAME_PATTERN = '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$';
/** A duration we can hand to Pekko unchanged: a whole number and one unit. */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)$';
/**
 * A Kubernetes equality-based label selector in its string form, where `%s` stands for the service name.
 * No spaces: the JVM splits JAVA_TOOL_OPTIONS on whitespace, so set-based selectors (`app in (a,b)`) can't be handed
 * to a Pekko node as a system property.
 */
export const SELECTOR_PATTERN = '^[A-Za-z0-9%!][-A-Za-z0-9_./%=!,]*$';

// The structural form the API server accepts for int-or-string: anyOf exactly integer|string, nothing inside it.
// A string must still be a percentage; CEL can't be used on it portably, so the operator's ajv checks that
// (rules.ts) and the Deployment API rejects anything else.
const intOrString = (description: string): SchemaNode => ({
  description,
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
});

const port = (description: string, def: number): SchemaNode => ({
  type: 'integer',
  description,
  minimum: 1,
  maximum: 65535,
  default: def,
});

export const specSchema: SchemaNode = {
  type: 'object',
  description:
    'What the operator builds: a Deployment of Pekko nodes that discover each other through the Kubernetes API ' +
    '(pods with the label app=<serviceName>), the ServiceAccount they run as, and the Role pod-reader and ' +
    'RoleBinding read-pods that let them list pods.',
  required: ['image'],
  properties: {
    image: {
      type: 'string',
      minLength: 1,
      maxLength: 512,
      description:
        "The container image of the cluster's nodes, run by the container named app. With workload pekko it is your " +
        'Pekko application (with Pekko Management and Cluster Bootstrap); with workload agent it is the ' +
        'pekko-bootstrap-agent image, or your app when agent.image adds the agent as a sidecar.',
    },
    replicas: {
      type: 'integer',
      minimum: 0,
      default: DEFAULTS.replicas,
      description: 'The number of pods (cluster nodes). Scale with `kubectl scale cb/NAME --replicas=N` or an HPA.',
    },
    actorSystemName: {
      type: 'string',
      maxLength: 63,
      pattern: ACTOR_SYSTEM_NAME_PATTERN,
      description:
        "The ActorSystem's name, written into node addresses (pekko://<actorSystemName>@<pod IP>:<remoting port>) and " +
        'the pod label actorSystemName. Letters, digits, - and _, starting with a letter or digit. ' +
        'Defaults to metadata.name.',
    },
    serviceName: {
      type: 'string',
      maxLength: 63,
      pattern: LABEL_VALUE_PATTERN,
      description:
        'The name nodes look each other up by: the pod label app=<serviceName>, the env var ' +
        'PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME, and what %s in podLabelSelector becomes. Defaults to actorSystemName.',
    },
    workload: {
      type: 'string',
      enum: ['pekko', 'agent'],
      default: DEFAULTS.workload,
      description:
        'Who does discovery and joining. pekko: the app runs Pekko Management and Cluster Bootstrap itself; the ' +
        'operator hands it the bootstrap settings as -D system properties in JAVA_TOOL_OPTIONS. agent: the ' +
        "project's in-pod agent does it, configured by env vars named after Pekko's keys.",
    },
    agent: {
      type: 'object',
      description: 'The in-pod agent, for workload agent only.',
      properties: {
        image: {
          type: 'string',
          minLength: 1,
          maxLength: 512,
          description:
            'When set, the agent runs as a sidecar container named bootstrap-agent beside the app container and ' +
            'serves the management port; the app reads membership from http://localhost:<management port>. ' +
            "Unset, the app container runs the agent itself (its image is the agent's, or built on it).",
        },
      },
    },
    management: {
      type: 'object',
      default: {},
      description: "Pekko Management's HTTP endpoint: contact-point probing, /alive, /ready, /cluster/members.",
      properties: {
        port: port('The management container port (pekko.management.http.port).', DEFAULTS.managementPort),
        portName: {
          type: 'string',
          minLength: 1,
          maxLength: 15,
          pattern: PORT_NAME_PATTERN,
          default: DEFAULTS.managementPortName,
          description:
            'The name of the management container port; the probes use it. Lower-case letters, digits and -, at ' +
            'most 15 characters, at least one letter, not remoting (the remoting port has that name).',
        },
      },
    },
    remoting: {
      type: 'object',
      default: {},
      description: "Pekko's cluster transport (Artery).",
      properties: {
        port: port(
          'The remoting container port, named remoting (pekko.remote.artery.canonical.port).',
          DEFAULTS.remotingPort,
        ),
      },
    },
    bootstrap: {
      type: 'object',
      default: {},
      description: 'Pekko Cluster Bootstrap settings (pekko.management.cluster.bootstrap), handed to every pod.',
      properties: {
        requiredContactPoints: {
          type: 'integer',
          minimum: 1,
          description:
            'How many contact points must be discovered before the lowest-addressed one may form a new cluster ' +
            '(contact-point-discovery.required-contact-point-nr). Defaults to the first non-zero replica count the ' +
            'resource is reconciled with (created with 0 replicas, it is fixed when first scaled up), kept in ' +
            'status.requiredContactPoints so that scaling later does not change it and restart the pods; when the ' +
            "status is lost, the operator reads it back from the Deployment's pod template.",
        },
        stableMargin: {
          type: 'string',
          maxLength: 16,
          default: DEFAULTS.stableMargin,
          description:
            'How long the set of contact points must stay the same before a new cluster may form ' +
            '(contact-point-discovery.stable-margin). A whole number and a unit: ms, s, m or h, e.g. 5s.',
        },
        newClusterEnabled: {
          type: 'boolean',
          default: DEFAULTS.newClusterEnabled,
          description:
            'Whether the lowest-addressed node may form a new cluster when no node answers with seed nodes ' +
            '(new-cluster-enabled). True: the operator hands it on until the cluster has formed, then off to the ' +
            'pods of each later pod template change, so that they only join (and on again for a cold start, ' +
            'spec.formation). False: no pod ever forms a cluster.',
        },
        podLabelSelector: {
          type: 'string',
          minLength: 1,
          maxLength: 256,
          default: DEFAULTS.podLabelSelector,
          description:
            'The label selector discovery lists pods with (pekko.discovery.kubernetes-api.pod-label-selector); %s ' +
            'becomes serviceName. The Deployment carries the labels app and actorSystemName, so a selector on ' +
            'other labels must match labels you add in template.metadata.labels.',
        },
      },
    },
    serviceAccountName: {
      type: 'string',
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
      description:
        'An existing ServiceAccount the pods run as; it is bound to pod-reader. Unset, the operator creates one ' +
        'named after the resource; if an account of that name exists that the operator did not make (a resource ' +
        'named default), it is neither used nor bound, and the Deployment waits until this field names the account ' +
        'to use. Once set, the account the operator made is deleted when no pod runs as it any more.',
    },
    strategy: {
      type: 'object',
      description:
        "The Deployment's update strategy. Defaults to RollingUpdate with maxSurge 1 and maxUnavailable 0, as " +
        'Pekko recommends, so that the cluster always keeps its members while pods are replaced.',
      properties: {
        type: {
          type: 'string',
          enum: ['RollingUpdate', 'Recreate'],
          description: 'RollingUpdate (recommended) or Recreate (stops every node first: the cluster re-forms).',
        },
        rollingUpdate: {
          type: 'object',
          description: 'With type RollingUpdate: how many pods may be added or missing during an update.',
          properties: {
            maxSurge: intOrString(
              'Pods above replicas during an update: a number or a percentage. Default 1. 0 only with ' +
                'maxUnavailable above 0.',
            ),
            maxUnavailable: intOrString('Pods below replicas during an update: a number or a percentage. Default 0.'),
          },
        },
      },
    },
    template: {
      type: 'object',
      description:
        'A PodTemplateSpec you own: labels, annotations, env, resources, volumes, sidecars, nodeSelector, ' +
        'tolerations, affinity, securityContext. A container named app is merged into the cluster container (your ' +
        'fields kept, image from spec.image); other containers are kept as they are. The operator adds what ' +
        'bootstrap needs on top and never drops your fields. The restricted security-context defaults (pod: ' +
        'runAsNonRoot, seccompProfile RuntimeDefault; app container: allowPrivilegeEscalation false, capabilities ' +
        'drop ALL) fill in, field by field, what you leave unset: capabilities.add keeps drop ALL.',
      'x-kubernetes-preserve-unknown-fields': true,
    },
    splitBrainResolver: splitBrainSpecSchema,
    paused: {
      type: 'boolean',
      default: DEFAULTS.paused,
      description:
        'While true the operator stops applying and repairing the children; status is still reported. Use it to ' +
        'edit children by hand or to hold a rollout. The shared Role pod-reader and RoleBinding read-pods serve ' +
        'every ClusterBootstrap of the namespace: read-pods keeps binding the account it bound for this one, and ' +
        'both are left alone while no ClusterBootstrap of the namespace is live (each paused, or with a spec the ' +
        'operator rejects).',
    },
    lifecycle: lifecycleSchema,
    splitRepair: splitRepairSchema,
    formation: formationSchema,
  },
  'x-kubernetes-validations': [],
};
