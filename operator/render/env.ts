// The bootstrap settings handed to the pods: env vars named after Pekko's keys for the agent, and -D system
// properties in JAVA_TOOL_OPTIONS for a Pekko application (system properties override its application.conf).
import type { V1EnvVar } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';

/** The downward-API variables every cluster container gets, first, so later values can say $(POD_IP). */
export function downwardEnv(): V1EnvVar[] {
  const field = (fieldPath: string) => ({ fieldRef: { fieldPath } });
  return [
    { name: 'POD_IP', valueFrom: field('status.podIP') },
    { name: 'POD_NAME', valueFrom: field('metadata.name') },
    { name: 'KUBERNETES_NAMESPACE', valueFrom: field('metadata.namespace') },
    { name: 'PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME', valueFrom: field("metadata.labels['app']") },
  ];
}

/** Pekko config keys and values, in the order they are written. */
export function bootstrapSettings(r: Resolved): [string, string][] {
  const cpd = 'pekko.management.cluster.bootstrap.contact-point-discovery';
  return [
    [`${cpd}.discovery-method`, 'kubernetes-api'],
    [`${cpd}.port-name`, r.managementPortName],
    [`${cpd}.required-contact-point-nr`, String(r.requiredContactPoints)],
    [`${cpd}.stable-margin`, r.stableMargin],
    ['pekko.management.cluster.bootstrap.new-cluster-enabled', r.newClusterEnabled ? 'on' : 'off'],
    ['pekko.discovery.kubernetes-api.pod-label-selector', r.podLabelSelectorTemplate],
    // Contact points on the pod IP rather than <dashed-ip>.<ns>.pod.cluster.local: no dependence on DNS pod records
    // (CoreDNS serves them only with `pods insecure`; the local cluster has no DNS), and the IP is what status shows.
    ['pekko.discovery.kubernetes-api.use-raw-ip', 'true'],
    ['pekko.management.http.hostname', '$(POD_IP)'],
    ['pekko.management.http.port', String(r.managementPort)],
    ['pekko.remote.artery.canonical.hostname', '$(POD_IP)'],
    ['pekko.remote.artery.canonical.port', String(r.remotingPort)],
  ];
}

/** A Pekko key as an env var name: upper case, '.' and '-' to '_'. */
export function envName(key: string): string {
  return key.toUpperCase().replace(/[.-]/g, '_');
}

/** The agent's env: every setting under its Pekko-derived name, plus the actor system's name. */
export function agentEnv(r: Resolved): V1EnvVar[] {
  return [
    { name: 'PEKKO_ACTOR_SYSTEM_NAME', value: r.actorSystemName },
    ...bootstrapSettings(r)
      .filter(([key]) => !key.endsWith('.discovery-method'))
      .map(([key, value]) => ({
        name: envName(key),
        value: value === 'on' ? 'true' : value === 'off' ? 'false' : value,
      })),
  ];
}

/** The -D flags for JAVA_TOOL_OPTIONS. Values never contain spaces (the schema forbids them in the selector). */
export function javaToolOptions(r: Resolved): string {
  return bootstrapSettings(r)
    .map(([key, value]) => `-D${key}=${value}`)
    .join(' ');
}

/** Names the operator owns in the cluster container's env; a user's entry of the same name is replaced. */
export const OWNED_ENV = new Set(downwardEnv().map((e) => e.name));
