// spec.splitBrainResolver and status.splitBrainResolver: Pekko's Split Brain Resolver as the operator hands it to a
// `workload: pekko` app, with the Kubernetes lease (coordination.k8s.io) for lease-majority. The schema parts, the
// CEL rules with their TypeScript twins, and resolve(): schema.ts, rules.ts and resolve.ts take them from here.
// Every rule refuses a spec Pekko itself would refuse at startup (pekko-cluster SplitBrainResolverSettings,
// pekko-coordination TimeoutSettings, pekko-lease-kubernetes KubernetesSettings), or a field that would do nothing.
// docs/split-brain.md explains each setting.
import { sbrLeaseName } from '../protocol/lease-name.ts';
import { parseDuration } from '../settings/value-types.ts';
import type { Rule } from './rules.ts';
import type { SchemaNode } from './schema.ts';

/** Pekko's strategy names (pekko.cluster.split-brain-resolver.active-strategy). */
export const SBR_STRATEGIES = ['keep-majority', 'lease-majority', 'static-quorum', 'keep-oldest', 'down-all'] as const;
export type SbrStrategy = (typeof SBR_STRATEGIES)[number];

/** Pekko's own defaults (reference.conf of pekko-cluster 1.1 and pekko-lease-kubernetes 1.1). */
export const SBR_DEFAULTS = {
  stableAfter: '20s',
  downIfAlone: true,
  heartbeatTimeout: '120s',
} as const;

export interface SplitBrainResolverSpec {
  strategy: SbrStrategy;
  stableAfter?: string;
  staticQuorum?: { quorumSize: number };
  keepOldest?: { downIfAlone?: boolean };
  leaseMajority?: {
    leaseName?: string;
    acquireLeaseDelayForMinority?: string;
    releaseAfter?: string;
    heartbeatTimeout?: string;
    leaseOperationTimeout?: string;
  };
}

/** What the operator hands the pods, every default filled in (operator/render reads it through the catalog). */
export interface ResolvedSplitBrain {
  strategy: SbrStrategy;
  stableAfter: string;
  /** static-quorum only. */
  quorumSize?: number;
  /** keep-oldest only. */
  downIfAlone?: boolean;
  /** lease-majority only. */
  lease?: {
    /** The Lease's name, as Pekko computes it (core/protocol/lease-name.ts), handed to Pekko unchanged. */
    name: string;
    /** Set only when the spec sets it: Pekko's default applies otherwise. */
    acquireLeaseDelayForMinority?: string;
    releaseAfter?: string;
    /** The spec's value, else Pekko's 120s; handed only when the spec sets it. */
    heartbeatTimeout: string;
    heartbeatTimeoutSet: boolean;
    leaseOperationTimeout?: string;
  };
}

/** The spec's settings resolved; `name` is metadata.name (the default lease is `<name>-pekko-sbr`). */
export function resolveSplitBrain(name: string, s: SplitBrainResolverSpec | undefined): ResolvedSplitBrain | undefined {
  if (!s) return undefined;
  const out: ResolvedSplitBrain = { strategy: s.strategy, stableAfter: s.stableAfter ?? SBR_DEFAULTS.stableAfter };
  if (s.strategy === 'static-quorum' && s.staticQuorum) out.quorumSize = s.staticQuorum.quorumSize;
  if (s.strategy === 'keep-oldest') out.downIfAlone = s.keepOldest?.downIfAlone ?? SBR_DEFAULTS.downIfAlone;
  if (s.strategy === 'lease-majority') {
    const l = s.leaseMajority ?? {};
    out.lease = {
      name: l.leaseName ?? sbrLeaseName(name),
      ...(l.acquireLeaseDelayForMinority ? { acquireLeaseDelayForMinority: l.acquireLeaseDelayForMinority } : {}),
      ...(l.releaseAfter ? { releaseAfter: l.releaseAfter } : {}),
      heartbeatTimeout: l.heartbeatTimeout ?? SBR_DEFAULTS.heartbeatTimeout,
      heartbeatTimeoutSet: l.heartbeatTimeout !== undefined,
      ...(l.leaseOperationTimeout ? { leaseOperationTimeout: l.leaseOperationTimeout } : {}),
    };
  }
  return out;
}

/** A Lease name Pekko uses unchanged: what pekkoLeaseName returns for it is itself. */
export const LEASE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const duration = (description: string): SchemaNode => ({ type: 'string', maxLength: 16, description });

/** spec.splitBrainResolver. */
export const splitBrainSpecSchema: SchemaNode = {
  type: 'object',
  description:
    "Pekko's Split Brain Resolver, for workload pekko: the operator hands the pods the downing provider and these " +
    'settings as -D system properties, with coordinated-shutdown.exit-jvm on so that a downed node exits and its ' +
    'pod restarts and joins again. lease-majority uses a coordination.k8s.io Lease that the operator creates, with a ' +
    'Role that lets the pods get and update that Lease only; the app needs the pekko-lease-kubernetes dependency. ' +
    "Unset: no downing provider (Pekko's default), so an unreachable member stays until someone downs it. " +
    'Changing the strategy needs a full restart of the cluster (Pekko: every node must use the same).',
  required: ['strategy'],
  properties: {
    strategy: {
      type: 'string',
      enum: [...SBR_STRATEGIES],
      description:
        'Which side of a partition survives. keep-majority: the larger side. lease-majority: the side that takes ' +
        'the Kubernetes lease (the larger side tries first). static-quorum: a side with at least ' +
        'staticQuorum.quorumSize members. keep-oldest: the side with the oldest member. down-all: none.',
    },
    stableAfter: {
      ...duration(
        'How long membership and reachability must stay unchanged before the resolver decides ' +
          '(split-brain-resolver.stable-after). A whole number and a unit: ms, s, m or h.',
      ),
      default: SBR_DEFAULTS.stableAfter,
    },
    staticQuorum: {
      type: 'object',
      description: 'For strategy static-quorum (required there).',
      required: ['quorumSize'],
      properties: {
        quorumSize: {
          type: 'integer',
          minimum: 1,
          description:
            'The members a side needs to survive (static-quorum.quorum-size): more than half of the nodes. ' +
            'The cluster must never grow beyond 2 × quorumSize - 1 nodes.',
        },
      },
    },
    keepOldest: {
      type: 'object',
      description: 'For strategy keep-oldest.',
      properties: {
        downIfAlone: {
          type: 'boolean',
          default: SBR_DEFAULTS.downIfAlone,
          description: 'Down the oldest member when it is cut off from every other (keep-oldest.down-if-alone).',
        },
      },
    },
    leaseMajority: {
      type: 'object',
      description:
        'For strategy lease-majority: the lease (lease-majority.* and pekko.coordination.lease.kubernetes.*). ' +
        "Pekko's defaults apply to what is unset.",
      properties: {
        leaseName: {
          type: 'string',
          maxLength: 63,
          description:
            'The Lease object (lease-majority.lease-name). Defaults to <metadata.name>-pekko-sbr made a DNS label ' +
            "the way Pekko does (long names end with a hash). Lower-case letters, digits and -: the name Pekko's " +
            'sanitising leaves as it is, so the Lease the operator creates is the one the pods use.',
        },
        acquireLeaseDelayForMinority: duration(
          'How long the smaller side waits before it tries to take the lease (acquire-lease-delay-for-minority; ' +
            "Pekko's default 2s).",
        ),
        releaseAfter: duration(
          'How long the side that took the lease keeps it after the other side is removed (release-after; ' +
            "Pekko's default 40s). A new partition in that time downs a side whose new leader is not the holder.",
        ),
        heartbeatTimeout: duration(
          'How long a holder that stopped renewing keeps the lease before another member may take it ' +
            "(pekko.coordination.lease.kubernetes.heartbeat-timeout; Pekko's default 120s). More than 10s.",
        ),
        leaseOperationTimeout: duration(
          "How long taking or releasing the lease may take (lease-operation-timeout; Pekko's default 5s).",
        ),
      },
    },
  },
};

/** status.splitBrainResolver. */
export const splitBrainStatusSchema: SchemaNode = {
  type: 'object',
  description: 'The split brain resolver the pods were handed, and for lease-majority who holds the lease.',
  properties: {
    strategy: { type: 'string', description: 'The strategy handed to the pods.' },
    lease: {
      type: 'object',
      description: 'lease-majority: the coordination.k8s.io Lease (its LeaseReady condition says whether it is sound).',
      properties: {
        name: { type: 'string', description: "The Lease's name." },
        uid: {
          type: 'string',
          description:
            'The uid of the Lease the operator created: how it knows the object is its own after Pekko rewrote it ' +
            '(a Pekko write replaces labels and owner references).',
        },
        holder: {
          type: 'string',
          description: 'spec.holderIdentity: the member holding it, <system>@<host>:<port>. Absent while free.',
        },
        holderPod: { type: 'string', description: 'The pod whose IP the holder names, when there is one.' },
        holderSince: {
          type: 'string',
          format: 'date-time',
          description:
            "When the holder took it: the Lease's acquireTime when the operator first saw this holder (Pekko " +
            'rewrites acquireTime at every renewal, every max(5s, heartbeatTimeout/10)).',
        },
      },
    },
    downed: {
      type: 'array',
      description: "The last members the resolver downed, newest last (at most 10), from the members' answers.",
      items: {
        type: 'object',
        required: ['node', 'time'],
        properties: {
          node: { type: 'string', description: 'The member address.' },
          pod: { type: 'string', description: 'Its pod, when the address names one.' },
          time: { type: 'string', format: 'date-time', description: 'When the operator saw it downed.' },
        },
      },
    },
  },
};

export interface SplitBrainResolverStatus {
  strategy?: string;
  lease?: { name: string; uid?: string; holder?: string; holderPod?: string; holderSince?: string };
  downed?: { node: string; pod?: string; time: string }[];
}

// biome-ignore lint/suspicious/noExplicitAny: rules walk untyped, already schema-checked JSON
type Any = any;
const DURATION = '^[0-9]+(ms|s|m|h)$';
const isDuration = (v: unknown) => new RegExp(DURATION).test(String(v));
const ms = (v: unknown) => parseDuration(String(v)) ?? Number.NaN;
const SBR = ['spec', 'splitBrainResolver'];
const LEASE = [...SBR, 'leaseMajority'];
const durationMessage = (field: string, extra = '') =>
  `spec.splitBrainResolver.${field} must be a whole number and a unit (ms, s, m or h), e.g. 5s${extra}`;

/** Only for its own strategy: `field` set with another strategy does nothing, so it is refused. */
const onlyWith = (field: string, strategy: SbrStrategy): Rule => ({
  at: SBR,
  rule: `!has(self.${field}) || self.strategy == '${strategy}'`,
  message: `spec.splitBrainResolver.${field} applies to strategy ${strategy} only: remove it, or set strategy ${strategy}`,
  fieldPath: `.${field}`,
  check: (self: Any) => self[field] === undefined || self.strategy === strategy,
});

export const SBR_RULES: Rule[] = [
  {
    at: ['spec'],
    rule: "self.workload != 'agent' || !has(self.splitBrainResolver)",
    message:
      "spec.splitBrainResolver is for workload pekko only: it configures Pekko's Split Brain Resolver, and the " +
      'agent has none (it handles unreachable members with its own membership rules, docs/membership.md): remove ' +
      'spec.splitBrainResolver, or set workload pekko',
    fieldPath: '.splitBrainResolver',
    check: (self: Any) => self.workload !== 'agent' || self.splitBrainResolver === undefined,
  },
  {
    at: SBR,
    rule: "self.strategy != 'static-quorum' || has(self.staticQuorum)",
    message:
      'spec.splitBrainResolver.staticQuorum.quorumSize is required with strategy static-quorum (Pekko does not ' +
      'start without it): set it to more than half of the nodes, e.g. 2 for 3 replicas',
    fieldPath: '.staticQuorum',
    check: (self: Any) => self.strategy !== 'static-quorum' || self.staticQuorum !== undefined,
  },
  onlyWith('staticQuorum', 'static-quorum'),
  onlyWith('keepOldest', 'keep-oldest'),
  onlyWith('leaseMajority', 'lease-majority'),
  {
    at: [...SBR, 'stableAfter'],
    rule: `self.matches('${DURATION}')`,
    message: durationMessage('stableAfter'),
    check: isDuration,
  },
  {
    at: [...LEASE, 'leaseName'],
    rule: `self.matches('${LEASE_NAME_PATTERN}')`,
    message:
      'spec.splitBrainResolver.leaseMajority.leaseName must be lower-case letters, digits and -, starting and ' +
      'ending with a letter or digit (a name Pekko uses unchanged)',
    check: (self) => new RegExp(LEASE_NAME_PATTERN).test(String(self)),
  },
  {
    at: [...LEASE, 'acquireLeaseDelayForMinority'],
    rule: `self.matches('${DURATION}')`,
    message: durationMessage('leaseMajority.acquireLeaseDelayForMinority'),
    check: isDuration,
  },
  {
    at: [...LEASE, 'releaseAfter'],
    rule: `self.matches('${DURATION}')`,
    message: durationMessage('leaseMajority.releaseAfter'),
    check: isDuration,
  },
  {
    // Pekko renews every max(5s, heartbeat-timeout / 10) and requires that to be less than half the timeout.
    at: [...LEASE, 'heartbeatTimeout'],
    rule: `self.matches('${DURATION}') && duration(self) > duration('10s')`,
    message: durationMessage(
      'leaseMajority.heartbeatTimeout',
      ', longer than 10s (Pekko renews the lease every max(5s, heartbeatTimeout/10) and refuses to start unless that is less than half of it)',
    ),
    check: (self) => isDuration(self) && ms(self) > 10_000,
  },
  {
    // Pekko's API request timeout is 2/5 of it and must be less than it: zero fails.
    at: [...LEASE, 'leaseOperationTimeout'],
    rule: `self.matches('${DURATION}') && duration(self) > duration('0s')`,
    message: durationMessage('leaseMajority.leaseOperationTimeout', ', more than 0 (Pekko refuses 0 at startup)'),
    check: (self) => isDuration(self) && ms(self) > 0,
  },
];
