// The e2e helpers every suite imports: `import { withNamespace, waitFor, ... } from '../lib/index.ts'`.
// See docs/local-cluster.md ("Writing an e2e suite").
export {
  AGENT_IMAGE,
  AGENTS,
  AGENTS_SELECTOR,
  agentLogLines,
  agentLogs,
  agentNode,
  agentScenario,
  applyAgents,
  concurrently,
  foundings,
  members,
  memberUids,
  memberViews,
  type OperatorHandle,
  oneAgentCluster,
  patchAgents,
  readyStatus,
  watchForSplits,
} from './agents.ts';
export {
  children,
  deployment,
  maybe,
  role,
  roleBinding,
  serviceAccount,
  waitChildren,
} from './children.ts';
export {
  type Clients,
  clients,
  clusterLayout,
  clusterState,
  kubeConfig,
  NoClusterError,
  podLogPath,
} from './cluster.ts';
export { applyClusterBootstrap, clusterMembersAt } from './cluster-bootstrap.ts';
export { waitForHealthyCluster } from './cluster-health.ts';
export { CRD_NAME, ensureCrd } from './crd.ts';
export { type DumpOptions, describeNamespace, dumpNamespace } from './dump.ts';
export { e2eEnv, REPO_ROOT } from './env.ts';
export { loudly } from './hooks.ts';
export { type ImageEntry, type ImageMap, registerImages, unregisterImages } from './images.ts';
export { KubectlError, type KubectlOptions, type KubectlResult, kubectl, kubectlPath } from './kubectl.ts';
export {
  type Departure,
  describeMeasured,
  imageOf,
  type Measured,
  measure,
  nodeOf,
  type OneCluster,
  oneCluster,
  patchSpec,
  statusOf,
  type Target,
} from './lifecycle-measure.ts';
export { type MembershipReport, type MembershipSampler, sampleMembership } from './membership-sampler.ts';
export { E2E_LABEL, type NamespaceOptions, withNamespace } from './namespace.ts';
export { freePort, Operator, withOperator } from './operator.ts';
export {
  heal,
  type Partition,
  PartitionError,
  type PartitionOptions,
  type PodLike,
  partition,
  podNetns,
  podNetwork,
  withPartition,
} from './partition.ts';
export { describePods, isReady, listPods, readyPods } from './pods.ts';
export { expectQuiet, type QuietOptions, UnwantedEventError, whileQuiet } from './quiet.ts';
export { type FlowRule, type RequestFlows, requestFlows } from './request-flows.ts';
export { NamespaceStatusLog, type StatusSample } from './status-log.ts';
export { type WaitOptions, WaitTimeoutError, waitFor } from './wait.ts';
