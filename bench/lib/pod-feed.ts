// The run's pods as the responder needs them: each pod with an IP becomes a PodAddress of its resource's cluster
// (the pod's `app.kubernetes.io/instance` label), handed to the responder when it comes, moves or goes; the same
// registry gives the seed a resource's status should show.
import type { V1Pod } from '@kubernetes/client-node';
import { clusterAnswers, type PodAddress } from '../responder/answers.ts';
import type { ResponderProcess } from './responder.ts';
import { INSTANCE_LABEL } from './tracker.ts';

/** The management and remoting ports of the benchmarks' resources (the API's defaults). */
const MANAGEMENT_PORT = 7626;
const REMOTING_PORT = 17355;

export class PodFeed {
  private readonly byCluster = new Map<string, Map<string, PodAddress>>();
  private readonly oldestOf = new Map<string, string | undefined>();
  private readonly responder: ResponderProcess | undefined;

  constructor(responder: ResponderProcess | undefined) {
    this.responder = responder;
  }

  /** Takes a pod event; the cluster (`namespace/name` of its resource) whose pods changed, if they did. */
  onPod(pod: V1Pod, deleted: boolean): string | undefined {
    const cluster = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.labels?.[INSTANCE_LABEL] ?? ''}`;
    const pods = this.byCluster.get(cluster) ?? new Map<string, PodAddress>();
    this.byCluster.set(cluster, pods);
    const name = pod.metadata?.name ?? '';
    const before = pods.get(name);
    const ip = pod.status?.podIP;
    if (deleted || !ip) {
      if (!before) return undefined;
      pods.delete(name);
      this.responder?.remove(before.ip, before.port);
      this.oldestOf.delete(cluster);
      return cluster;
    }
    if (before?.ip === ip) return undefined;
    if (before) this.responder?.remove(before.ip, before.port);
    const system = pod.metadata?.labels?.actorSystemName ?? '';
    const p: PodAddress = { ip, port: MANAGEMENT_PORT, cluster, system, remotingPort: REMOTING_PORT };
    pods.set(name, p);
    this.responder?.add(p);
    this.oldestOf.delete(cluster);
    return cluster;
  }

  /** A resource's pods with an IP. */
  pods(cluster: string): PodAddress[] {
    return [...(this.byCluster.get(cluster)?.values() ?? [])];
  }

  /** The node a resource's pods report as the oldest (`namespace/name`), if it has pods. */
  oldest(cluster: string): string | undefined {
    if (!this.oldestOf.has(cluster)) {
      this.oldestOf.set(cluster, clusterAnswers([...(this.byCluster.get(cluster)?.values() ?? [])])?.oldest);
    }
    return this.oldestOf.get(cluster);
  }
}
