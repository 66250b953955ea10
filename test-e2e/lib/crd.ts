// Every suite that creates ClusterBootstraps calls ensureCrd() first: it applies the generated CRDs (idempotent,
// server-side: ClusterBootstrap, and ClusterMembership for agent clusters) and waits until the API serves them, so
// suites don't depend on their order.
import { REPO_ROOT } from './env.ts';
import { kubectl } from './kubectl.ts';

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
  })();
  return done;
}
