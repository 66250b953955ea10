// The seam for the observed cluster status. Reconcile asks a StatusObserver for the discovery part of the status
// (phase, contact points, seed, members and their conditions) after it has applied the children; the full observer,
// which probes the pods' management endpoints, lives in operator/status and is wired in main. The default here
// looks at pod counts only.
import type { V1Deployment, V1Pod, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap, ContactPointStatus, Phase } from '../../core/api/types.ts';
import type { ConditionInput } from './conditions.ts';

export interface ObserveInput {
  cb: ClusterBootstrap;
  r: Resolved;
  /** The Deployment from the cache, if it exists. */
  deployment: V1Deployment | undefined;
  /** The resource's pods from the cache (labelled with its instance name). */
  pods: V1Pod[];
  /** Whether the children are applied as desired (ResourcesReady is True). */
  childrenReady: boolean;
  /**
   * The namespace's Role pod-reader and RoleBinding read-pods as the cache holds them (undefined: not there, or not
   * the operator's: the cache holds only labelled objects).
   */
  sharedRbac?: { role: V1Role | undefined; roleBinding: V1RoleBinding | undefined };
  log: Logger;
}

/** The observed part of the status. Fields left out are removed from the status. */
export interface ObservedStatus {
  phase: Phase;
  message?: string;
  readyContactPoints?: number;
  contactPoints?: ContactPointStatus[];
  seedNode?: string;
  members?: number;
  /** ContactPointsDiscovered, ClusterFormed, Ready (ResourcesReady is reconcile's own). */
  conditions?: ConditionInput[];
  /** Look again after this long even without an event (probing is time-based). */
  requeueAfterMs?: number;
}

export interface StatusObserver {
  /** Must not throw for an unreachable pod: that is an observation. A throw fails the reconcile (retried). */
  observe(input: ObserveInput): Promise<ObservedStatus>;
  /** Drops what is kept about a resource that is gone ("namespace/name"). */
  forget?(key: string): void;
}

function isReady(p: V1Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Pending until the Deployment and at least one pod exist, then Discovering. No probing, no cluster phases. */
export const podCountObserver: StatusObserver = {
  async observe({ deployment, pods }) {
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
    if (!deployment || live.length === 0) {
      return { phase: 'Pending', message: deployment ? 'No pods yet.' : 'The Deployment does not exist yet.' };
    }
    const ready = live.filter(isReady).length;
    return { phase: 'Discovering', message: `${live.length} pods, ${ready} ready.` };
  },
};
