// What the informer keeps of a pod (kinds.ts, the Pod row's `trim`). The operator reads of a pod its metadata, its
// whole status (phase, conditions, IPs, container states for discovery, diagnosis and deletion costs), its service
// account, of each container its name, image and ports (the management port by name), and of the member containers
// (app, bootstrap-agent) the literal env values the settings were rendered into (render/read-back.ts: formation
// safety reads new-cluster-enabled from the pod's own spec). Dropped: the parts of the pod spec nothing reads (probes,
// mounts, the pod's volumes), every other container's env, and env entries without a literal value. A field read
// anew must come off these lists (cached-pod.test.ts).
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { AGENT_CONTAINER, APP_CONTAINER } from '../../core/api/types.ts';

/** The containers whose env the operator reads back (render/read-back.ts). */
const MEMBER_CONTAINERS: readonly string[] = [APP_CONTAINER, AGENT_CONTAINER];

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
    for (const c of list ?? []) {
      for (const f of DROPPED_CONTAINER_FIELDS) delete (c as unknown as Record<string, unknown>)[f];
      const env = MEMBER_CONTAINERS.includes(c.name) ? c.env?.filter((e) => e.value !== undefined) : undefined;
      if (env?.length) c.env = env.map((e) => ({ name: e.name, value: e.value }));
      else delete c.env;
    }
  }
}
