// Turns a validated spec into the fully resolved settings rendering and status use: schema defaults plus the
// defaults that depend on the resource itself (names, the required contact points fixed in status).
import { DEFAULTS } from './schema.ts';
import type { ClusterBootstrap, ClusterBootstrapSpec, Workload } from './types.ts';

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
  requiredContactPoints: number;
  stableMargin: string;
  newClusterEnabled: boolean;
  /** The selector as written, with %s. */
  podLabelSelectorTemplate: string;
  /** The selector with %s replaced by serviceName: what discovery lists pods with. */
  podLabelSelector: string;
  serviceAccountName: string;
  /** False when the user named an existing ServiceAccount: the operator then creates none. */
  createServiceAccount: boolean;
  paused: boolean;
}

/**
 * Resolves a spec that validate() accepted (schema defaults already applied).
 * requiredContactPoints: the spec's value, else the one fixed in status, else the replica count (at least 1).
 */
export function resolve(cb: Pick<ClusterBootstrap, 'metadata' | 'status'>, spec: ClusterBootstrapSpec): Resolved {
  const name = cb.metadata.name ?? '';
  const actorSystemName = spec.actorSystemName ?? name;
  const serviceName = spec.serviceName ?? actorSystemName;
  const replicas = spec.replicas ?? DEFAULTS.replicas;
  const template = spec.bootstrap?.podLabelSelector ?? DEFAULTS.podLabelSelector;
  return {
    name,
    namespace: cb.metadata.namespace ?? 'default',
    image: spec.image,
    replicas,
    actorSystemName,
    serviceName,
    workload: spec.workload ?? DEFAULTS.workload,
    ...(spec.agent?.image ? { agentImage: spec.agent.image } : {}),
    managementPort: spec.management?.port ?? DEFAULTS.managementPort,
    managementPortName: spec.management?.portName ?? DEFAULTS.managementPortName,
    remotingPort: spec.remoting?.port ?? DEFAULTS.remotingPort,
    requiredContactPoints:
      spec.bootstrap?.requiredContactPoints ?? cb.status?.requiredContactPoints ?? Math.max(1, replicas),
    stableMargin: spec.bootstrap?.stableMargin ?? DEFAULTS.stableMargin,
    newClusterEnabled: spec.bootstrap?.newClusterEnabled ?? DEFAULTS.newClusterEnabled,
    podLabelSelectorTemplate: template,
    podLabelSelector: template.replace('%s', serviceName),
    serviceAccountName: spec.serviceAccountName ?? name,
    createServiceAccount: spec.serviceAccountName === undefined,
    paused: spec.paused ?? DEFAULTS.paused,
  };
}
