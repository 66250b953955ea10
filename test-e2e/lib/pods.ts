// Small pod queries most suites need.
import type { V1Pod } from '@kubernetes/client-node';
import { clients } from './cluster.ts';

export function isReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods of a namespace matching a label selector (e.g. 'app=web'), without those being deleted. */
export async function listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
  const list = await clients().core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Ready pods of a namespace matching a label selector. */
export async function readyPods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
  return (await listPods(namespace, labelSelector)).filter(isReady);
}

/** "name: phase ready=true ip=..." per pod, for wait messages. */
export function describePods(pods: V1Pod[]): string {
  return pods
    .map((p) => `${p.metadata?.name}: ${p.status?.phase} ready=${isReady(p)} ip=${p.status?.podIP ?? '-'}`)
    .join('; ');
}
