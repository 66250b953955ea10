// The ClusterBootstrap API (bootstrap.pekko-operator.dev/v1alpha1) as TypeScript types.
// The OpenAPI schema in schema.ts is the source of truth for validation, defaults and docs; these types mirror it.
import type { V1Condition, V1DeploymentStrategy, V1ObjectMeta, V1PodTemplateSpec } from '@kubernetes/client-node';

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
  paused?: boolean;
}

export type Phase = 'Pending' | 'Discovering' | 'Forming' | 'Formed' | 'Degraded';

export interface ContactPointStatus {
  pod: string;
  host: string;
  port: number;
  ready: boolean;
  /** The node address the pod reports as selfNode, when it answered. */
  node?: string;
}

export interface ClusterBootstrapStatus {
  observedGeneration?: number;
  phase?: Phase;
  replicas?: number;
  readyReplicas?: number;
  selector?: string;
  readyContactPoints?: number;
  contactPoints?: ContactPointStatus[];
  seedNode?: string;
  members?: number;
  /** requiredContactPoints as fixed at the first reconcile (spec value, else the replica count then). */
  requiredContactPoints?: number;
  message?: string;
  conditions?: V1Condition[];
}

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
  /** The summary. */
  Ready: 'Ready',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];
