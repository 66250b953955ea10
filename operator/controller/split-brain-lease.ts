// The reconcile's split brain resolver step: for lease-majority, the Lease is created when it is missing and never
// written after that (Pekko owns it: create-if-absent, no update, no apply); the status part and the LeaseReady
// condition come from operator/status/split-brain.ts, the downed members from operator/status/downed.ts. When a
// resource goes, the Lease the operator created for it is deleted if it is still that object (its uid), because
// Pekko's first write drops the owner reference the garbage collector would need. When a resource stops using
// lease-majority, its <name>-sbr-lease Role and RoleBinding go, so no grant outlives the Lease's use.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import type { SplitBrainResolverStatus } from '../../core/api/split-brain.ts';
import type { ClusterBootstrap, ClusterBootstrapStatus } from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { httpStatus } from '../errors.ts';
import { objectKey } from '../kernel/key.ts';
import type { KubeClient } from '../kube/client.ts';
import type { SbrLeaseApi } from '../kube/sbr-leases.ts';
import { leaseRbacName, renderLease } from '../render/split-brain-lease.ts';
import type { ObservedCluster } from '../status/compute.ts';
import type { ConditionInput } from '../status/conditions.ts';
import { DownTracker } from '../status/downed.ts';
import { type LeaseSeen, observeSplitBrain } from '../status/split-brain.ts';
import type { Caches } from './kinds.ts';
import { isManagedChild } from './ownership.ts';

/** How often a lease-majority resource's Lease is read again: Leases are not watched (see docs/split-brain.md). */
export const LEASE_RECHECK_MS = 10_000;
/** How many downed members status.splitBrainResolver.downed keeps. */
const DOWNED_KEPT = 10;

export interface SplitBrainInput {
  cb: ClusterBootstrap;
  r: Resolved;
  previous: ClusterBootstrapStatus | undefined;
  /** The resource's pods (from the cache). */
  pods: readonly V1Pod[];
  /** What the pods answered (the status observer's clusters). */
  clusters: readonly ObservedCluster[];
}

export interface SplitBrainResult {
  /** undefined: no resolver configured, the status field goes. */
  status?: SplitBrainResolverStatus;
  /** LeaseReady; undefined: not lease-majority, the condition goes. */
  condition?: ConditionInput;
  events: { type: 'Normal' | 'Warning'; reason: string; note: string }[];
  /** Look again this soon (lease-majority only). */
  requeueAfterMs?: number;
}

export interface SplitBrainDeps {
  leases: SbrLeaseApi;
  client: KubeClient;
  caches: Caches;
  clock: Clock;
}

export class SplitBrain {
  private readonly deps: SplitBrainDeps;
  private readonly downs = new DownTracker();
  /** The Lease each resource's status names as the operator's, for the deletion when the resource goes. */
  private readonly created = new Map<string, { namespace: string; name: string; uid: string }>();

  constructor(deps: SplitBrainDeps) {
    this.deps = deps;
  }

  async reconcile({ cb, r, previous, pods, clusters }: SplitBrainInput): Promise<SplitBrainResult> {
    const key = objectKey(r.namespace, r.name);
    const sbr = r.splitBrainResolver;
    if (!r.paused && !sbr?.lease) await this.pruneLeaseRbac(cb, r);
    if (!sbr) {
      this.downs.forget(key);
      return { events: [] };
    }
    const seen = sbr.lease ? await this.ensureLease(cb, r) : undefined;
    const nowMs = this.deps.clock.now();
    const o = observeSplitBrain({
      r,
      cbUid: cb.metadata.uid,
      previous: previous?.splitBrainResolver,
      previousConditions: previous?.conditions,
      ...(seen ? { seen } : {}),
      pods,
      nowMs,
    });
    const events: SplitBrainResult['events'] = [...o.events];
    const podOfHost = new Map(pods.map((p) => [p.status?.podIP ?? '', p.metadata?.name ?? '']));
    const downed = this.downs.observe(key, clusters, podOfHost);
    const status = o.status ?? { strategy: sbr.strategy };
    if (downed.length) {
      const time = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
      status.downed = [...(status.downed ?? []), ...downed.map((d) => ({ ...d, time }))].slice(-DOWNED_KEPT);
      for (const d of downed) {
        events.push({
          type: 'Warning',
          reason: 'MemberDowned',
          note: `member ${d.node}${d.pod ? ` (pod ${d.pod})` : ''} was downed by the split brain resolver (${sbr.strategy})`,
        });
      }
    }
    const uid = status.lease?.uid;
    if (sbr.lease && uid) this.created.set(key, { namespace: r.namespace, name: sbr.lease.name, uid });
    return {
      status,
      ...(o.condition ? { condition: o.condition } : {}),
      events,
      ...(sbr.lease ? { requeueAfterMs: LEASE_RECHECK_MS } : {}),
    };
  }

  /**
   * Reads the Lease, and creates it when there is none (unless paused). Never updates it. A create refused by the
   * API (403, say) is an observation, reported in LeaseReady; a failed read throws (the reconcile is retried).
   */
  private async ensureLease(cb: ClusterBootstrap, r: Resolved): Promise<LeaseSeen> {
    const { leases, clock } = this.deps;
    const desired = renderLease(cb, r, clock.now());
    if (!desired) return {};
    const name = desired.metadata?.name ?? '';
    const lease = await leases.read(r.namespace, name);
    if (lease) return { lease };
    if (r.paused) return { paused: true };
    try {
      return { lease: await leases.create(desired), created: true };
    } catch (err) {
      // Someone created it between the read and the create: look at what is there now.
      if (httpStatus(err) === 409) {
        const now = await leases.read(r.namespace, name);
        return now ? { lease: now } : { error: (err as Error).message };
      }
      return { error: (err as Error).message };
    }
  }

  /** The <name>-sbr-lease Role and RoleBinding of a resource that no longer uses lease-majority go. */
  private async pruneLeaseRbac(cb: ClusterBootstrap, r: Resolved): Promise<void> {
    const { caches, client } = this.deps;
    const name = leaseRbacName(r);
    const found: [string, KubernetesObject | undefined][] = [
      ['RoleBinding', caches.RoleBinding.get(name, r.namespace)],
      ['Role', caches.Role.get(name, r.namespace)],
    ];
    for (const [kind, live] of found) {
      if (!live || !isManagedChild(live, cb.metadata.name ?? '')) continue;
      await client.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, namespace: r.namespace, name });
    }
  }

  /**
   * The resource is gone: deletes the Lease the operator created for it, if that very object (uid) is still there.
   * What the operator does not remember (it restarted since) stays; a new resource of the same name then reports
   * it as a conflict, with the fix.
   */
  async forget(key: string): Promise<void> {
    this.downs.forget(key);
    const c = this.created.get(key);
    if (!c) return;
    await this.deps.leases.delete(c.namespace, c.name, c.uid);
    this.created.delete(key);
  }
}
