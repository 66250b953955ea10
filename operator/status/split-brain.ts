// status.splitBrainResolver and the LeaseReady condition: the strategy handed to the pods, and for lease-majority
// whether the Lease is the operator's, who holds it (a pod of this cluster, a pod that is gone, or something else)
// and since when, plus the Events a change deserves. Pure: the Lease as read, the pods and the time come in.
import type { V1Condition, V1Lease, V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import type { SplitBrainResolverStatus } from '../../core/api/split-brain.ts';
import { ConditionReason, ConditionType, FIELD_MANAGER } from '../../core/api/types.ts';
import { parseDuration } from '../../core/settings/value-types.ts';
import { MANAGED_BY_LABEL } from '../render/labels.ts';
import type { ConditionInput } from './conditions.ts';

/** What the reconcile found out about the Lease this pass (operator/controller/split-brain-lease.ts). */
export interface LeaseSeen {
  /** The Lease as read (or as created this pass); undefined: there is none. */
  lease?: V1Lease;
  /** The operator created it this pass. */
  created?: boolean;
  /** Why it could not be read or created. */
  error?: string;
  /** The resource is paused: a missing Lease is not created. */
  paused?: boolean;
}

export interface SplitBrainEvent {
  type: 'Normal' | 'Warning';
  reason: 'LeaseHolderChanged' | 'LeaseRecreated' | 'LeaseConflict' | 'LeaseHolderGone' | 'LeaseHolderUnknown';
  note: string;
}

export interface SplitBrainInput {
  r: Resolved;
  /** The ClusterBootstrap's uid: a Lease Pekko has not written yet names it in its owner reference. */
  cbUid: string | undefined;
  previous: SplitBrainResolverStatus | undefined;
  previousConditions: readonly V1Condition[] | undefined;
  /** lease-majority only. */
  seen?: LeaseSeen;
  /** The resource's pods, to name the pod a holder address points at. */
  pods: readonly V1Pod[];
  nowMs: number;
}

export interface SplitBrainObservation {
  /** undefined: no resolver, the field goes. */
  status?: SplitBrainResolverStatus;
  /** LeaseReady; undefined: not lease-majority, the condition goes. */
  condition?: ConditionInput;
  events: SplitBrainEvent[];
}

/** `system@host:port`, Pekko's lease owner (the member's address without the protocol). */
export function parseHolder(holder: string): { system: string; host: string; port: number } | undefined {
  const m = /^([^@]+)@\[?([^\]]+?)\]?:(\d+)$/.exec(holder);
  return m ? { system: m[1] as string, host: m[2] as string, port: Number(m[3]) } : undefined;
}

/** The Lease is the one the operator created for this resource: its uid is the one recorded, or it still carries
 * the operator's label and a controller reference to the resource (Pekko has not written it yet). */
export function isOurLease(lease: V1Lease, recordedUid: string | undefined, cbUid: string | undefined): boolean {
  const md = lease.metadata ?? {};
  if (recordedUid !== undefined && md.uid === recordedUid) return true;
  return (
    md.labels?.[MANAGED_BY_LABEL] === FIELD_MANAGER &&
    (md.ownerReferences ?? []).some((o) => o.controller && cbUid !== undefined && o.uid === cbUid)
  );
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function timeOf(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && v) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** When Pekko lets another member take a lease last renewed at `renewedMs` (LeaseActor.hasLeaseTimedOut). */
export function leaseExpiry(renewedMs: number, heartbeatTimeout: string): number {
  const timeout = parseDuration(heartbeatTimeout) ?? 120_000;
  const interval = Math.max(5_000, timeout / 10);
  return renewedMs + timeout - 2 * interval;
}

function describeOwner(lease: V1Lease): string {
  const md = lease.metadata ?? {};
  const parts = [`created ${timeOf(md.creationTimestamp) ? iso(timeOf(md.creationTimestamp) as number) : '?'}`];
  const manager = md.labels?.[MANAGED_BY_LABEL];
  if (manager) parts.push(`managed by ${manager}`);
  for (const o of md.ownerReferences ?? []) parts.push(`owned by ${o.kind} ${o.name}`);
  const holder = lease.spec?.holderIdentity;
  parts.push(holder ? `held by ${holder}` : 'not held');
  return parts.join(', ');
}

export function observeSplitBrain(i: SplitBrainInput): SplitBrainObservation {
  const sbr = i.r.splitBrainResolver;
  if (!sbr) return { events: [] };
  const status: SplitBrainResolverStatus = { strategy: sbr.strategy };
  if (i.previous?.downed?.length) status.downed = i.previous.downed;
  const leaseSpec = sbr.lease;
  if (!leaseSpec) return { status, events: [] };

  const name = leaseSpec.name;
  const events: SplitBrainEvent[] = [];
  const prevLease = i.previous?.lease?.name === name ? i.previous.lease : undefined;
  const prevReason = i.previousConditions?.find((c) => c.type === ConditionType.LeaseReady)?.reason;
  const cond = (ok: boolean, reason: ConditionReason, message: string): ConditionInput => ({
    type: ConditionType.LeaseReady,
    status: ok ? 'True' : 'False',
    reason,
    message,
  });
  const seen = i.seen ?? {};
  const lease = seen.lease;

  if (!lease) {
    status.lease = { name, ...(prevLease?.uid ? { uid: prevLease.uid } : {}) };
    const why = seen.paused
      ? 'the resource is paused, so the operator does not create it'
      : `the operator could not create it: ${seen.error ?? 'unknown error'}`;
    return {
      status,
      events,
      condition: cond(
        false,
        ConditionReason.LeaseMissing,
        `Lease ${name} does not exist and ${why}; the pods may not create it (their Role grants get and update ` +
          'only), so until it exists a partition downs every member',
      ),
    };
  }

  const uid = lease.metadata?.uid;
  if (!isOurLease(lease, prevLease?.uid, i.cbUid)) {
    status.lease = { name, ...(prevLease?.uid ? { uid: prevLease.uid } : {}) };
    const message =
      `Lease ${name} exists and is not the one the operator created for this ClusterBootstrap (${describeOwner(lease)}); ` +
      'the operator never writes it, but the pods use it by name. Set spec.splitBrainResolver.leaseMajority.leaseName ' +
      'to a free name, or delete that Lease if it is left over (a ClusterBootstrap deleted while the operator was ' +
      "not running leaves its Lease behind: Pekko's writes drop the owner reference)";
    if (prevReason !== ConditionReason.Conflict)
      events.push({ type: 'Warning', reason: 'LeaseConflict', note: message });
    return { status, events, condition: cond(false, ConditionReason.Conflict, message) };
  }

  const holder = lease.spec?.holderIdentity || undefined;
  const acquiredMs = timeOf(lease.spec?.acquireTime);
  const current: NonNullable<SplitBrainResolverStatus['lease']> = { name, ...(uid ? { uid } : {}) };
  status.lease = current;
  const recreated = seen.created === true && prevLease?.uid !== undefined && prevLease.uid !== uid;
  if (recreated) {
    events.push({
      type: 'Warning',
      reason: 'LeaseRecreated',
      note:
        `Lease ${name} (uid ${prevLease?.uid}) was deleted; the operator created it again (uid ${uid}). A member ` +
        'that held it has lost it; the next decision of the resolver takes it again',
    });
  }

  let condition: ConditionInput;
  let holderPod: string | undefined;
  if (!holder) {
    const stillRecreated = recreated || (prevReason === ConditionReason.Recreated && prevLease?.uid === uid);
    condition = stillRecreated
      ? cond(
          true,
          ConditionReason.Recreated,
          `Lease ${name} was deleted by hand and the operator created it again; no member has taken it since`,
        )
      : cond(
          true,
          ConditionReason.Free,
          `Lease ${name} is free: the resolver takes it when a partition needs a decision`,
        );
  } else {
    const h = parseHolder(holder);
    const ours = h !== undefined && h.system === i.r.actorSystemName && h.port === i.r.remotingPort;
    holderPod = ours ? i.pods.find((p) => p.status?.podIP === h.host)?.metadata?.name : undefined;
    if (holderPod) {
      condition = cond(true, ConditionReason.Held, `Lease ${name} is held by ${holder} (pod ${holderPod})`);
    } else {
      const expiry = acquiredMs === undefined ? undefined : leaseExpiry(acquiredMs, leaseSpec.heartbeatTimeout);
      const who = ours
        ? `${holder}, whose pod no longer exists (no pod of this cluster has IP ${h?.host})`
        : `${holder}, which is no member address of this cluster (${i.r.actorSystemName}@<pod IP>:${i.r.remotingPort})`;
      if (expiry !== undefined && expiry <= i.nowMs) {
        // Not renewed for heartbeatTimeout: Pekko's next decision takes it over (LeaseActor: "has reached TTL").
        condition = cond(
          true,
          ConditionReason.Free,
          `Lease ${name} names ${who}, but it has not been renewed since ${iso(acquiredMs as number)}: the ` +
            'resolver takes it over at its next decision',
        );
      } else {
        const takeover =
          expiry === undefined
            ? `once it has not been renewed for heartbeatTimeout (${leaseSpec.heartbeatTimeout})`
            : `from ${iso(expiry)} (last renewed ${iso(acquiredMs as number)}, heartbeatTimeout ${leaseSpec.heartbeatTimeout})`;
        const reason = ours ? ConditionReason.HolderGone : ConditionReason.HolderUnknown;
        const message =
          `Lease ${name} is held by ${who}; the operator does not take it over. Pekko lets a member take it ` +
          `${takeover}; a partition before then downs every member`;
        condition = cond(false, reason, message);
        if (prevReason !== reason || prevLease?.holder !== holder) {
          events.push({ type: 'Warning', reason: ours ? 'LeaseHolderGone' : 'LeaseHolderUnknown', note: message });
        }
      }
    }
    current.holder = holder;
    if (holderPod) current.holderPod = holderPod;
    const since = prevLease?.holder === holder && prevLease.holderSince ? prevLease.holderSince : undefined;
    current.holderSince = since ?? iso(acquiredMs ?? i.nowMs);
  }
  if ((prevLease?.holder ?? undefined) !== holder && (prevLease !== undefined || holder !== undefined)) {
    const named = (h: string | undefined, pod: string | undefined) =>
      h ? `${h}${pod ? ` (pod ${pod})` : ''}` : 'nobody';
    events.push({
      type: 'Normal',
      reason: 'LeaseHolderChanged',
      note: `Lease ${name}: holder ${named(prevLease?.holder, prevLease?.holderPod)} → ${named(holder, holderPod)}`,
    });
  }
  return { status, events, condition };
}
