// What several suites do with a ClusterBootstrap and its pods: apply one, and read a pod's own view of its cluster
// (GET /cluster/members on its IP, parsed by the operator's parser in core/protocol).
import { type ClusterMembers, type Parsed, parseClusterMembers } from '../../core/protocol/index.ts';
import { kubectl } from './kubectl.ts';

/** kubectl apply of a ClusterBootstrap `name` in `ns` with exactly this spec. */
export async function applyClusterBootstrap(ns: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const cb = {
    apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
    kind: 'ClusterBootstrap',
    metadata: { name },
    spec,
  };
  await kubectl(['apply', '-f', '-'], { namespace: ns, input: JSON.stringify(cb) });
}

/** A pod's /cluster/members. Never throws: no answer, a bad status or a bad body is `{ ok: false, error }`. */
export async function clusterMembersAt(ip: string, port = 7626, timeoutMs = 2000): Promise<Parsed<ClusterMembers>> {
  try {
    const res = await fetch(`http://${ip}:${port}/cluster/members`, { signal: AbortSignal.timeout(timeoutMs) });
    return parseClusterMembers(await res.text());
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
