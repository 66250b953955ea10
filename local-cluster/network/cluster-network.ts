// The pod network of a cluster as `up` and `down` see it: decide (namespaces on a bridge, or the loopback fallback),
// make the bridge, and remove everything of the cluster's tag again. See docs/local-cluster.md ("Pod network").
import { PodNetworkConflictError, removeClusterNetwork, setupBridge } from './bridge.ts';
import { ipJson } from './ip-cmd.ts';
import { clusterTag, freeSlash24, type HostRoute, netnsPlan, type PodNetwork, validatePodCidr } from './plan.ts';

export interface PodNetworkRequest {
  podIpPrefix: string;
  /** a range, or 'auto' (a free /24 in 198.19.0.0/16) */
  podCidr: string;
  /** podCidr is the default, not asked for: when another running cluster holds it, a free /24 is taken instead */
  podCidrIsDefault?: boolean;
  podNetwork: 'netns' | 'loopback';
}

/** One line for `up`'s output. */
export function describePodNetwork(net: PodNetwork): string {
  return net.mode === 'netns'
    ? `pod network: ${net.cidr} on bridge ${net.bridge} (host ${net.hostIp}), a network namespace per pod`
    : `pod network: loopback addresses ${net.prefix}.x.y, no network namespaces (${net.reason})`;
}

/**
 * Makes the pod network for the cluster in `dir`: its bridge after removing its own leftovers, or the loopback
 * fallback with the reason. Throws PodNetworkConflictError when the range overlaps a route of the machine.
 */
export async function setupPodNetwork(
  req: PodNetworkRequest,
  dir: string,
  note: (line: string) => void = () => {},
): Promise<PodNetwork> {
  const loopback = (reason: string): PodNetwork => ({ mode: 'loopback', prefix: req.podIpPrefix, reason });
  if (req.podNetwork === 'loopback') return loopback('CLUSTER_POD_NETWORK=loopback');
  let wanted = req.podCidr;
  for (let attempt = 1; ; attempt++) {
    let cidr = wanted;
    if (cidr === 'auto') {
      const routes = await ipJson<HostRoute>(['-4', 'route', 'show', 'table', 'all']).catch(() => []);
      cidr = freeSlash24(routes) ?? '';
      if (!cidr) throw new PodNetworkConflictError('--pod-cidr auto: no free /24 left in 198.19.0.0/16');
    }
    const plan = netnsPlan(dir, validatePodCidr(cidr));
    try {
      const why = await setupBridge(plan, dir, note);
      return why ? loopback(why) : plan;
    } catch (err) {
      if (!(err instanceof PodNetworkConflictError) || attempt >= 3) throw err;
      if (wanted !== 'auto' && req.podCidrIsDefault) {
        // Nobody asked for this range: a second checkout's cluster beside the first gets a free /24 instead.
        note(`${err.message.split('. Set')[0]}: that is the default range, so a free /24 is taken instead`);
        wanted = 'auto';
        continue;
      }
      // 'auto' raced another `up` to the same free range: pick again
      if (wanted !== 'auto') throw err;
    }
  }
}

/** Removes every namespace, veth and the bridge of the cluster in `dir` (named by its tag); a summary or undefined. */
export async function teardownPodNetwork(dir: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return undefined; // without root there never was one
  const tag = clusterTag(dir);
  const r = await removeClusterNetwork({ tag, bridge: `${tag}br` }, dir).catch((err: unknown) => ({
    namespaces: 0,
    links: 0,
    skipped: `not removed: ${(err as Error).message}`,
  }));
  if (r.skipped) return `pod network: ${r.skipped}`;
  if (r.namespaces === 0 && r.links === 0) return undefined;
  // the kubelet removes the pods' namespaces when it stops: anything else here was left by a crash
  const left = r.namespaces + r.links - 1;
  return `pod network: ${tag}* removed${left > 0 ? ` (${r.namespaces} namespaces and ${r.links} interfaces, the bridge included)` : ' (the bridge)'}`;
}
