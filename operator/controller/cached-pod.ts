// What the informer keeps of a pod (kinds.ts, the Pod row's `trim`). The operator reads of a pod its metadata, its
// whole status (phase, conditions, IPs, container states for discovery, diagnosis and deletion costs), its service
// account, and of each container its name, image and ports (the management port by name). Dropped: the parts of the
// pod spec nothing reads, the largest of which are each container's env (JAVA_TOOL_OPTIONS alone is ~700 bytes),
// its probes and mounts, and the pod's volumes. A field read anew must come off these lists (cached-pod.test.ts).
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';

/** Pod spec fields no part of the operator reads. */
export const DROPPED_POD_SPEC_FIELDS = [
  'volumes',
  'affinity',
  'tolerations',
  'securityContext',
  'topologySpreadConstraints',
  'readinessGates',
] as const satisfies readonly (keyof V1PodSpec)[];

/** Container fields no part of the operator reads. */
export const DROPPED_CONTAINER_FIELDS = [
  'env',
  'envFrom',
  'args',
  'command',
  'volumeMounts',
  'volumeDevices',
  'readinessProbe',
  'livenessProbe',
  'startupProbe',
  'lifecycle',
  'securityContext',
  'resources',
  'terminationMessagePath',
  'terminationMessagePolicy',
] as const satisfies readonly (keyof V1Container)[];

/** Trims a pod in place (it comes fresh from the API's JSON). */
export function trimPod(pod: V1Pod): void {
  const spec = pod.spec as Record<string, unknown> | undefined;
  if (!spec) return;
  for (const f of DROPPED_POD_SPEC_FIELDS) delete spec[f];
  for (const list of [pod.spec?.containers, pod.spec?.initContainers]) {
    for (const c of list ?? [])
      for (const f of DROPPED_CONTAINER_FIELDS) delete (c as unknown as Record<string, unknown>)[f];
  }
}
