// Whether every member of a cluster is gone, from what the operator sees: the resource's pods and the latest answers
// of the pods its discovery finds (operator/status). It is the one fact a cold start rests on (formation.ts), so it
// errs on the side of "a member may still be there": it says gone only when at least one pod runs, every pod whose
// member container runs (a terminating one too) answered its latest probe, and no answer, of any pod the resource's
// discovery finds, reports a cluster. A pod that does not answer, or not yet, may be a member. A pod whose member
// container does not run (Pending, waiting to restart) is no member now. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { SETTINGS } from '../../core/settings/catalog.ts';
import { podValue } from '../render/read-back.ts';
import { listed } from '../status/caps.ts';
import { groupClusters, type PodView } from '../status/compute.ts';

export type MembersGone =
  | {
      gone: true;
      /** Pods whose member container runs, every one answering as no member. */
      running: string[];
      /** Those of them that may only join (new-cluster-enabled=off in their own spec). */
      joinOnly: string[];
    }
  | { gone: false; why: string };

/** True when the pod's member container (the app, or the bootstrap-agent sidecar) is running now. */
export function memberRunning(p: V1Pod, memberContainer: string): boolean {
  const s = p.status?.containerStatuses?.find((c) => c.name === memberContainer);
  return s?.state?.running !== undefined && s.state.running !== null;
}

/**
 * `pods`: the resource's pods from the cache, terminating ones included; `views`: the latest answer of each pod the
 * resource's discovery finds and of its own pods (the status observer's).
 */
export function membersGone(pods: readonly V1Pod[], views: readonly PodView[], memberContainer: string): MembersGone {
  const inCluster = groupClusters([...views]);
  if (inCluster.length > 0) {
    return { gone: false, why: `pods ${listed(inCluster.flatMap((c) => c.pods))} report a cluster` };
  }
  const running = pods.filter((p) => memberRunning(p, memberContainer));
  if (running.length === 0) return { gone: false, why: 'no pod runs' };
  const byPod = new Map(views.map((v) => [v.contactPoint.pod, v]));
  const silent = running
    .map((p) => p.metadata?.name ?? '')
    .filter((name) => {
      const v = byPod.get(name);
      return !v?.answer || v.error !== undefined;
    });
  if (silent.length > 0) return { gone: false, why: `pods ${listed(silent)} have not answered` };
  const names = (ps: V1Pod[]) => ps.map((p) => p.metadata?.name ?? '').sort();
  return {
    gone: true,
    running: names(running),
    joinOnly: names(running.filter((p) => podValue(p, SETTINGS.newClusterEnabled) === false)),
  };
}
