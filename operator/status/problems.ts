// What keeps a cluster from being right that its pods' answers cannot show, laid over the observation computed from
// them (compute.ts): a discovery selector that finds the wrong pods (discovery.ts), and a Deployment that cannot
// create its pods (its ReplicaFailure condition: a quota, an admission webhook). The phase stays what the pods say;
// the message says the problem first, and Ready is False while discovery finds the wrong pods. Pure.
import type { V1Deployment } from '@kubernetes/client-node';
import { ConditionType } from '../../core/api/types.ts';
import type { Observation } from './compute.ts';
import type { DiscoveryProblem } from './discovery.ts';

export interface StatusProblems {
  discoveryProblem?: DiscoveryProblem;
  /** The Deployment's ReplicaFailure condition in words (replicaFailure()). */
  replicaFailure?: string;
}

/** The Deployment's ReplicaFailure condition when it is True, in words, with where to look; else undefined. */
export function replicaFailure(d: V1Deployment | undefined): string | undefined {
  const c = d?.status?.conditions?.find((x) => x.type === 'ReplicaFailure' && x.status === 'True');
  if (!c) return undefined;
  const ns = d?.metadata?.namespace ?? '';
  const what = `Deployment ${d?.metadata?.name} cannot create pods (${c.reason ?? 'ReplicaFailure'}): ${c.message ?? ''}`;
  return (
    `${what.trim()}; it keeps trying: fix what refuses the pods (a quota: kubectl -n ${ns} describe resourcequota; ` +
    'an admission policy or webhook: the one the message names)'
  );
}

export function withProblems(o: Observation, p: StatusProblems): Observation {
  const { discoveryProblem: dp, replicaFailure: rf } = p;
  if (!dp && !rf) return o;
  const prefix = (text: string) => [dp?.message, rf, text].filter(Boolean).join('; ');
  const conditions = o.conditions.map((c) => {
    if (c.type === ConditionType.ContactPointsDiscovered && dp) {
      return { ...c, status: 'False' as const, reason: dp.reason, message: `${dp.message}; ${c.message}` };
    }
    if (c.type === ConditionType.Ready && dp) {
      return { ...c, status: 'False' as const, reason: dp.reason, message: prefix(o.message) };
    }
    if (c.type === ConditionType.Ready && c.status !== 'True') return { ...c, message: prefix(c.message) };
    if (c.type === ConditionType.ClusterFormed && c.status !== 'True' && dp) {
      return { ...c, reason: dp.reason, message: prefix(c.message) };
    }
    return c;
  });
  return { ...o, message: prefix(o.message), conditions };
}
