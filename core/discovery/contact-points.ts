// From a pod list to contact points, as Pekko's kubernetes-api discovery does it (docs/agent.md, How it
// bootstraps). Pure: the agent feeds it the API server's JSON, the operator its informer's pods. Pods arrive as untrusted JSON, so
// every field is read defensively; a pod with a field of the wrong type is treated as lacking that field.
import { compareContactPoints } from '../protocol/address.ts';

/** The fields of a Pod that discovery reads (structurally compatible with @kubernetes/client-node's V1Pod). */
export interface PodLike {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: unknown } | undefined;
  spec?:
    | { containers?: Array<{ name?: string; ports?: Array<{ name?: string; containerPort?: number }> }> }
    | undefined;
  status?:
    | {
        phase?: string;
        podIP?: string;
        containerStatuses?: Array<{
          name?: string;
          state?: { waiting?: unknown; running?: unknown; terminated?: unknown } | undefined;
        }>;
        conditions?: Array<{ type?: string; status?: string }>;
      }
    | undefined;
}

export interface DiscoverySettings {
  /** The pods' namespace, used in DNS-style host names. */
  namespace: string;
  /** pod-domain, default cluster.local. */
  podDomain: string;
  /** use-raw-ip: the host is the pod IP instead of `<dashed-ip>.<ns>.pod.<pod-domain>`. */
  useRawIp: boolean;
  /** container-name: when set, skip pods whose container of this name is waiting or has no status. */
  containerName?: string | undefined;
  /** The contact-point port name; when unset, every pod gives one contact point on fallbackPort. */
  portName?: string | undefined;
  /** The port for pods when portName is unset (Pekko: the management port, 7626). */
  fallbackPort: number;
}

export interface ContactPoint {
  /** The pod's name. */
  pod: string;
  /** Host as Pekko reports it (dashed-IP DNS name, or the raw IP). */
  host: string;
  port: number;
  /** status.podIP; Pekko's ResolvedTarget.address. */
  podIP: string;
  /** The pod's Ready condition. Informational only: discovery never filters on readiness. */
  ready: boolean;
  /** True when the port came from a named containerPort (Pekko's port is then Some, else None). */
  namedPort: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Steps 1-4 of the filter: the pod's IP when the pod counts as alive for discovery, else undefined. */
export function livePodIP(pod: PodLike, settings: Pick<DiscoverySettings, 'containerName'>): string | undefined {
  if (!isObject(pod)) return undefined;
  const meta = isObject(pod.metadata) ? pod.metadata : {};
  // 1. terminating pods are skipped
  if (meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null) return undefined;
  // 2. spec and status must be there, and the phase Running
  if (!isObject(pod.spec) || !isObject(pod.status)) return undefined;
  if (pod.status.phase !== 'Running') return undefined;
  // 3. the named container must have a status that is not waiting
  if (settings.containerName) {
    const statuses = arrayOf(pod.status.containerStatuses).filter(
      (c) => isObject(c) && c.name === settings.containerName,
    ) as Array<{ state?: unknown }>;
    const running = statuses.some((c) => !(isObject(c.state) && c.state.waiting !== undefined));
    if (!running) return undefined;
  }
  // 4. only status.podIP, never podIPs
  const ip = str(pod.status.podIP);
  return ip === undefined || ip === '' ? undefined : ip;
}

function isReady(pod: PodLike): boolean {
  return arrayOf(pod.status?.conditions).some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
}

/** The contact-point host for a pod IP: `<ip with dots as dashes>.<ns>.pod.<pod-domain>`, or the IP itself. */
export function contactPointHost(
  ip: string,
  settings: Pick<DiscoverySettings, 'namespace' | 'podDomain' | 'useRawIp'>,
) {
  return settings.useRawIp ? ip : `${ip.replace(/\./g, '-')}.${settings.namespace}.pod.${settings.podDomain}`;
}

/**
 * Contact points from pods, in the spec's filter order (deletionTimestamp, phase Running, container-name, podIP;
 * readiness NOT checked; port names; host form). Duplicates (same host and port) are merged. The result is sorted
 * in Pekko's contact-point order, so the first row is the one that may form a new cluster.
 */
export function contactPointsFromPods(pods: readonly PodLike[], settings: DiscoverySettings): ContactPoint[] {
  const out = new Map<string, ContactPoint>();
  for (const pod of Array.isArray(pods) ? pods : []) {
    const podIP = livePodIP(pod, settings);
    if (podIP === undefined) continue;
    const name = str(pod.metadata?.name) ?? '';
    const ready = isReady(pod);
    const host = contactPointHost(podIP, settings);
    // 6. one contact point on the fallback port, or one per containerPort with the name in any container
    const ports: number[] = [];
    if (!settings.portName) ports.push(settings.fallbackPort);
    else {
      for (const c of arrayOf(pod.spec?.containers)) {
        if (!isObject(c)) continue;
        for (const p of arrayOf(c.ports)) {
          if (!isObject(p) || p.name !== settings.portName) continue;
          const port = p.containerPort;
          if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) ports.push(port);
        }
      }
    }
    for (const port of ports) {
      const key = `${host}:${port}`;
      if (!out.has(key)) out.set(key, { pod: name, host, port, podIP, ready, namedPort: Boolean(settings.portName) });
    }
  }
  return [...out.values()].sort((a, b) =>
    compareContactPoints(
      { host: a.host, port: a.namedPort ? a.port : undefined, address: a.podIP },
      { host: b.host, port: b.namedPort ? b.port : undefined, address: b.podIP },
    ),
  );
}

/** Pod IPs that pass steps 1-4: the pods that still exist for the purpose of cluster membership. */
export function livePodIPs(pods: readonly PodLike[], settings: Pick<DiscoverySettings, 'containerName'>): Set<string> {
  const ips = new Set<string>();
  for (const pod of Array.isArray(pods) ? pods : []) {
    const ip = livePodIP(pod, settings);
    if (ip !== undefined) ips.add(ip);
  }
  return ips;
}
