// Pods (from the informer cache) to probe targets, with the same discovery rules the agent and Pekko use
// (core/discovery): a pod the nodes cannot discover is not a contact point in the status either.
import type { V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import { contactPointsFromPods } from '../../core/discovery/index.ts';
import type { Target } from './probe-scheduler.ts';

/** `found`: the pods the discovery selector finds (discovery.ts); the others are probed but are no contact points. */
export function targetsFor(pods: readonly V1Pod[], r: Resolved, found?: ReadonlySet<string>): Target[] {
  const uid = new Map(pods.map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? '']));
  const points = contactPointsFromPods(pods, {
    namespace: r.namespace,
    podDomain: 'cluster.local',
    // The operator hands every pod use-raw-ip=true (operator/render/env.ts), so contact points are pod IPs.
    useRawIp: true,
    portName: r.managementPortName,
    fallbackPort: r.managementPort,
  });
  return points.map((c) => ({
    contactPoint: { pod: c.pod, host: c.host, port: c.port, ready: c.ready },
    incarnation: `${uid.get(c.pod) ?? ''}/${c.podIP}`,
    ...(found && !found.has(c.pod) ? { discovered: false } : {}),
  }));
}
