// Every suite that creates ClusterBootstraps calls ensureCrd() first: it applies the generated CRDs (idempotent,
// server-side: ClusterBootstrap, and ClusterMembership for agent clusters) and waits until the API serves them, so
// suites don't depend on their order.
import { REPO_ROOT } from './env.ts';
import { kubectl } from './kubectl.ts';
import { waitFor } from './wait.ts';

export const CRD_NAME = 'clusterbootstraps.bootstrap.pekko-operator.dev';
export const MEMBERSHIP_CRD_NAME = 'clustermemberships.bootstrap.pekko-operator.dev';
let done: Promise<void> | undefined;

export function ensureCrd(): Promise<void> {
  done ??= (async () => {
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', `${REPO_ROOT}/crds/`]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/${CRD_NAME}`,
      `crd/${MEMBERSHIP_CRD_NAME}`,
    ]);
    // Established is not served yet: right after a CRD is created, a list can still get 429 "storage is
    // (re)initializing" for a moment.
    for (const crd of [CRD_NAME, MEMBERSHIP_CRD_NAME]) {
      const plural = crd.slice(0, crd.indexOf('.'));
      const group = crd.slice(crd.indexOf('.') + 1);
      await waitFor(
        async () => (await kubectl(['get', `${plural}.${group}`, '-A', '-o', 'name'], { check: false })).code === 0,
        {
          what: `the API server serving ${crd}`,
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      );
    }
  })();
  return done;
}
