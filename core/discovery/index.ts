// Kubernetes-api discovery rules shared by the agent and the operator: pods to contact points, selector building,
// the pod-list answer. Pure; no I/O.
export {
  type ContactPoint,
  contactPointHost,
  contactPointsFromPods,
  type DiscoverySettings,
  livePodIP,
  livePodIPs,
  type PodLike,
} from './contact-points.ts';
export {
  type PodListErrorCode,
  type PodListResult,
  podListFromResponse,
} from './pod-list.ts';
export {
  DEFAULT_POD_LABEL_SELECTOR,
  type LabelRequirement,
  matchesLabels,
  parseLabelSelector,
  podLabelSelector,
  podListPath,
  serviceNameFromActorSystem,
} from './selector.ts';
