// The agent as a container's program (image pekko-bootstrap-agent:dev). Exit codes: 2 bad configuration (the
// message names the variable), 1 could not start (e.g. the management address cannot be bound), 0 after SIGTERM or
// SIGINT, once the node has left the cluster.
import { Agent } from './agent.ts';
import { parseConfig, processEnv } from './config.ts';
import { ConfigError } from './errors.ts';
import { realPorts, resolveNamespace } from './index.ts';
import { agentStartFailure } from './runtime/logger.ts';

/** Longest time the leave may take on SIGTERM (Kubernetes' default grace period is 30 s). */
const STOP_DEADLINE_MS = 10_000;

function fatal(msg: string, fields: Record<string, unknown>, code: number): never {
  agentStartFailure(msg, fields);
  process.exit(code);
}

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(processEnv());
} catch (err) {
  if (err instanceof ConfigError) fatal('invalid configuration', { variable: err.variable, error: err.message }, 2);
  throw err;
}

const ports = realPorts(config);
const agent = new Agent(config, ports, await resolveNamespace(config));
try {
  await agent.start();
} catch (err) {
  fatal('cannot start', { code: (err as { code?: string }).code, error: (err as Error).message }, 1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    ports.logger.info({ signal }, 'leaving the cluster');
    const deadline = setTimeout(() => {
      ports.logger.warn({ afterMs: STOP_DEADLINE_MS }, 'leave did not finish in time, exiting');
      process.exit(0);
    }, STOP_DEADLINE_MS);
    void agent.stop().then(() => {
      clearTimeout(deadline);
      process.exit(0);
    });
  });
}
