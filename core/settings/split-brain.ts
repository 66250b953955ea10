// The Split Brain Resolver's settings as the operator hands them to a `workload: pekko` app: Pekko keys only (the
// agent has no downing), written as -D flags when spec.splitBrainResolver asks for them and not at all otherwise, so
// a resource without it renders exactly as before. catalog.ts puts them among the Pekko-only settings; the keys and
// defaults are Pekko's (pekko-cluster and pekko-lease-kubernetes 1.1 reference.conf), docs/split-brain.md explains
// them.
import type { Resolved } from '../api/resolve.ts';
import { pekkoSetting } from './setting.ts';
import { boolean, integer, text } from './value-types.ts';

const SBR = 'pekko.cluster.split-brain-resolver';
const LEASE = 'pekko.coordination.lease.kubernetes';
const sbrOf = (r: Resolved) => r.splitBrainResolver;
const leaseOf = (r: Resolved) => r.splitBrainResolver?.lease;

export const SPLIT_BRAIN_SETTINGS = {
  downingProviderClass: pekkoSetting({
    key: 'pekko.cluster.downing-provider-class',
    type: text,
    doc: "Pekko's Split Brain Resolver as the downing provider",
    render: {
      value: (r) => (sbrOf(r) ? 'org.apache.pekko.cluster.sbr.SplitBrainResolverProvider' : undefined),
      to: ['pekko'],
      from: 'with `spec.splitBrainResolver`',
    },
  }),
  activeStrategy: pekkoSetting({
    key: `${SBR}.active-strategy`,
    type: text,
    doc: 'the strategy',
    render: { value: (r) => sbrOf(r)?.strategy, to: ['pekko'], from: '`spec.splitBrainResolver.strategy`' },
  }),
  stableAfter: pekkoSetting({
    key: `${SBR}.stable-after`,
    type: text,
    doc: 'how long membership must stay unchanged before a decision',
    render: { value: (r) => sbrOf(r)?.stableAfter, to: ['pekko'], from: '`spec.splitBrainResolver.stableAfter`' },
  }),
  quorumSize: pekkoSetting({
    key: `${SBR}.static-quorum.quorum-size`,
    type: integer(1, 100_000),
    doc: 'static-quorum: members a side needs',
    render: {
      value: (r) => sbrOf(r)?.quorumSize,
      to: ['pekko'],
      from: '`spec.splitBrainResolver.staticQuorum.quorumSize`',
    },
  }),
  downIfAlone: pekkoSetting({
    key: `${SBR}.keep-oldest.down-if-alone`,
    type: boolean('on-off'),
    doc: 'keep-oldest: down the oldest when it is alone',
    render: {
      value: (r) => sbrOf(r)?.downIfAlone,
      to: ['pekko'],
      from: '`spec.splitBrainResolver.keepOldest.downIfAlone`',
    },
  }),
  leaseImplementation: pekkoSetting({
    key: `${SBR}.lease-majority.lease-implementation`,
    type: text,
    doc: "lease-majority: the lease's config path (pekko-lease-kubernetes)",
    render: { value: (r) => (leaseOf(r) ? LEASE : undefined), to: ['pekko'], from: 'with lease-majority' },
  }),
  leaseName: pekkoSetting({
    key: `${SBR}.lease-majority.lease-name`,
    type: text,
    doc: 'lease-majority: the Lease the operator creates',
    render: {
      value: (r) => leaseOf(r)?.name,
      to: ['pekko'],
      from: '`spec.splitBrainResolver.leaseMajority.leaseName`, default `<name>-pekko-sbr`',
    },
  }),
  acquireLeaseDelayForMinority: pekkoSetting({
    key: `${SBR}.lease-majority.acquire-lease-delay-for-minority`,
    type: text,
    doc: 'lease-majority: how long the smaller side waits',
    render: {
      value: (r) => leaseOf(r)?.acquireLeaseDelayForMinority,
      to: ['pekko'],
      from: '`spec.splitBrainResolver.leaseMajority.acquireLeaseDelayForMinority`',
    },
  }),
  releaseAfter: pekkoSetting({
    key: `${SBR}.lease-majority.release-after`,
    type: text,
    doc: 'lease-majority: how long the surviving side keeps the lease',
    render: {
      value: (r) => leaseOf(r)?.releaseAfter,
      to: ['pekko'],
      from: '`spec.splitBrainResolver.leaseMajority.releaseAfter`',
    },
  }),
  leaseClass: pekkoSetting({
    key: `${LEASE}.lease-class`,
    type: text,
    doc: 'the native coordination.k8s.io Lease (no CRD)',
    render: {
      value: (r) => (leaseOf(r) ? 'org.apache.pekko.coordination.lease.kubernetes.NativeKubernetesLease' : undefined),
      to: ['pekko'],
      from: 'with lease-majority',
    },
  }),
  heartbeatTimeout: pekkoSetting({
    key: `${LEASE}.heartbeat-timeout`,
    type: text,
    doc: 'how long a silent holder keeps the lease',
    render: {
      value: (r) => (leaseOf(r)?.heartbeatTimeoutSet ? leaseOf(r)?.heartbeatTimeout : undefined),
      to: ['pekko'],
      from: '`spec.splitBrainResolver.leaseMajority.heartbeatTimeout`',
    },
  }),
  leaseOperationTimeout: pekkoSetting({
    key: `${LEASE}.lease-operation-timeout`,
    type: text,
    doc: 'how long taking or releasing the lease may take',
    render: {
      value: (r) => leaseOf(r)?.leaseOperationTimeout,
      to: ['pekko'],
      from: '`spec.splitBrainResolver.leaseMajority.leaseOperationTimeout`',
    },
  }),
  // Pekko's advice with a downing provider: a downed node cannot join again as the same actor system, so the JVM
  // exits (status 255: ClusterDowningReason's exit-code -1) and Kubernetes restarts the container, which joins anew.
  exitJvm: pekkoSetting({
    key: 'pekko.coordinated-shutdown.exit-jvm',
    type: boolean('on-off'),
    doc: 'a downed node exits, so its container restarts and joins again',
    render: { value: (r) => (sbrOf(r) ? true : undefined), to: ['pekko'], from: 'with `spec.splitBrainResolver`' },
  }),
};
