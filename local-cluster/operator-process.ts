// How the operator runs from source against a local cluster: one definition of its command line and environment,
// used by `cli.ts operator-up` (a detached process) and by the e2e and bench helpers (test-e2e/lib/operator.ts, a
// child process they can signal). Keeping it in one place means both run the same operator the same way.
import { join } from 'node:path';

export interface OperatorProcessOptions {
  repoRoot: string;
  /** the Node binary that runs operator/main.ts */
  nodeBinary: string;
  kubeconfig: string;
  httpPort: number;
  /** WATCH_NAMESPACES; empty or absent: every namespace */
  namespaces?: readonly string[];
  /** POD_NAME: the Lease holder identity and the Events' reportingInstance */
  podName?: string;
  /** POD_NAMESPACE: where the leader Lease lives when leader election is on */
  podNamespace?: string;
  logLevel?: string;
  /** more operator settings (operator/config.ts), e.g. LEADER_ELECTION; they win over the above */
  env?: Record<string, string>;
}

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The operator's process: `node operator/main.ts` with only the environment it reads (plus PATH and HOME). */
export function operatorProcess(o: OperatorProcessOptions): ProcessSpec {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KUBECONFIG: o.kubeconfig,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(o.httpPort),
    LOG_LEVEL: o.logLevel ?? 'info',
  };
  if (o.namespaces?.length) env.WATCH_NAMESPACES = o.namespaces.join(',');
  if (o.podName) env.POD_NAME = o.podName;
  if (o.podNamespace) env.POD_NAMESPACE = o.podNamespace;
  Object.assign(env, o.env);
  return { command: o.nodeBinary, args: [join(o.repoRoot, 'operator', 'main.ts')], cwd: o.repoRoot, env };
}
