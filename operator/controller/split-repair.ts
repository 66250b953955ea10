// Split repair (spec.splitRepair.enabled, off by default): when the pods report two or more clusters, delete the pods
// of every cluster but the one kept, one at a time, so that the Deployment replaces them and the replacements join
// the kept cluster. Which pod and when: split-repair-plan.ts. Events: SplitRepairStarted (Warning) before the first
// deletion, SplitRepairPodDeleted for each, SplitRepairCompleted once the status is Formed again, the pod deleted last
// has a replacement, and every pod of the resource is in the cluster (or has had its 2 minutes to join); SplitRepairFailed
// when the API refuses a deletion. Whatever this does, the status reports the split (Degraded, SplitBrain).
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap, Phase } from '../../core/api/types.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { objectKey } from '../kernel/key.ts';
import type { KubeClient } from '../kube/client.ts';
import { listed } from '../status/caps.ts';
import type { ObservedCluster } from '../status/compute.ts';
import type { EventRecorder } from './event-recorder.ts';
import { JOIN_BOUND_MS, planSplitRepair, podsSettled } from './split-repair-plan.ts';

export const SplitRepairReason = {
  Started: 'SplitRepairStarted',
  PodDeleted: 'SplitRepairPodDeleted',
  Completed: 'SplitRepairCompleted',
  Failed: 'SplitRepairFailed',
} as const;

export interface SplitRepairInput {
  cb: ClusterBootstrap;
  r: Resolved;
  /** The clusters the pods report (the observer's). Undefined: not observed, nothing to do. */
  clusters: readonly ObservedCluster[] | undefined;
  /** The phase just observed. */
  phase: Phase;
  /** The resource's own pods from the cache. */
  pods: readonly V1Pod[];
  log: Logger;
}

interface Repair {
  startedAt: number;
  deleted: number;
  /** the pod deleted last, when (wall clock), and how many live pods there were just before */
  lastDeleted?: { uid: string; at: number; podsBefore: number };
}

const liveCount = (pods: readonly V1Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp).length;

/**
 * Whether the pod deleted last has been replaced: as many live pods as before its deletion. Between the deletion and
 * the replacement's creation the cache holds only the kept cluster's pods, all members: without this the repair would
 * look done before the replacement joined. A replacement that never comes (the Deployment scaled down meanwhile)
 * stops counting after JOIN_BOUND_MS.
 */
function replaced(r: Repair, pods: readonly V1Pod[], now: number): boolean {
  const last = r.lastDeleted;
  return !last || liveCount(pods) >= last.podsBefore || now - last.at >= JOIN_BOUND_MS;
}

export class SplitRepair {
  private readonly repairs = new Map<string, Repair>();
  private readonly deps: { client: KubeClient; events: EventRecorder; clock: Clock };

  constructor(deps: { client: KubeClient; events: EventRecorder; clock: Clock }) {
    this.deps = deps;
  }

  /** Looks at one resource after its observation; deletes at most one pod. Never throws. */
  async run({ cb, r, clusters, phase, pods, log }: SplitRepairInput): Promise<void> {
    const { events, clock, client } = this.deps;
    const key = objectKey(r.namespace, r.name);
    const active = this.repairs.get(key);
    const note = (type: 'Normal' | 'Warning', reason: string, text: string) =>
      events.record({ regarding: cb, type, reason, action: 'RepairSplit', note: text });
    if (!clusters || clusters.length < 2) {
      // Done once the status is Formed and the last replacement has joined (or given up).
      if (
        active &&
        phase === 'Formed' &&
        replaced(active, pods, clock.now()) &&
        podsSettled(clusters ?? [], pods, clock.now())
      ) {
        const seconds = Math.round((clock.monotonic() - active.startedAt) / 1000);
        note(
          'Normal',
          SplitRepairReason.Completed,
          `one cluster again${clusters?.[0] ? ` around ${clusters[0].seed}` : ''} after restarting ` +
            `${active.deleted} pod${active.deleted === 1 ? '' : 's'} in ${seconds} s`,
        );
        this.repairs.delete(key);
      }
      return;
    }
    if (!r.splitRepair || r.paused) return;
    const step = planSplitRepair({
      clusters,
      pods,
      now: clock.now(),
      ...(active?.lastDeleted ? { lastDeleted: active.lastDeleted } : {}),
    });
    if (step.kind === 'none') return;
    if (step.kind === 'wait') {
      log.debug({ why: step.why, keep: step.keep.seed }, 'split repair waits');
      return;
    }
    const repair = active ?? { startedAt: clock.monotonic(), deleted: 0 };
    const name = step.pod.metadata?.name ?? '';
    if (!active) {
      note(
        'Warning',
        SplitRepairReason.Started,
        `pods report ${clusters.length} clusters; keeping the one around ${step.keep.seed} ` +
          `(${step.keep.members.length} Up members, pods ${listed(step.keep.pods)}) and restarting the pods of the ` +
          `others one at a time: ${listed([name, ...step.remaining])}`,
      );
      this.repairs.set(key, repair);
    }
    try {
      await client.delete({ apiVersion: 'v1', kind: 'Pod', namespace: r.namespace, name });
    } catch (err) {
      log.warn({ err, pod: name }, 'split repair could not delete a pod');
      note('Warning', SplitRepairReason.Failed, `could not delete pod ${name}: ${(err as Error).message}`);
      return;
    }
    repair.deleted++;
    repair.lastDeleted = { uid: step.pod.metadata?.uid ?? '', at: clock.now(), podsBefore: liveCount(pods) };
    log.info({ pod: name, from: step.from.seed, keep: step.keep.seed }, 'split repair deleted a pod');
    note(
      'Normal',
      SplitRepairReason.PodDeleted,
      `deleted pod ${name} of the cluster around ${step.from.seed} so that it restarts and joins the cluster around ` +
        `${step.keep.seed}; ${step.remaining.length} left to restart`,
    );
  }

  /** Drops what is kept about a resource that is gone. */
  forget(key: string): void {
    this.repairs.delete(key);
  }
}
