// The shared cluster back in working order after a test disturbed it (the operator suite kills the API server):
// every process of `up` running, the API server ready, the Node Ready and untainted (local-cluster/health.ts, what
// `up` checks), and the controller manager serving again (it reconnects with its own backoff): a new namespace gets
// its `default` ServiceAccount. A test that disturbs the cluster calls this before it ends, so the suites after it
// start on a working cluster.
import { healthy } from '../../local-cluster/health.ts';
import { clusterLayout, clusterState } from './cluster.ts';
import { withNamespace } from './namespace.ts';
import { waitFor } from './wait.ts';

export async function waitForHealthyCluster(timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await waitFor(() => healthy(clusterState(), clusterLayout()), {
    what: 'the local cluster healthy (processes, API server /readyz, Node Ready)',
    timeoutMs,
    intervalMs: 500,
  });
  // withNamespace waits up to 30 s for the ServiceAccount; try again until the deadline.
  await waitFor(() => withNamespace(async () => true, { prefix: 'health' }), {
    what: 'a new namespace with its default ServiceAccount',
    timeoutMs: Math.max(1000, deadline - Date.now()),
  });
}
