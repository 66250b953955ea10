// The agent's logger: the shared factory (core/runtime/logger.ts) with the pod's identity on every line.
import { createLogger, type LoggerOptions, logStartFailure } from '../../core/runtime/logger.ts';
import type { AgentConfig } from '../config.ts';
import type { Logger } from '../ports.ts';

const NAME = 'bootstrap-agent';

export function agentLogger(
  config: Pick<AgentConfig, 'logLevel' | 'podName' | 'podIP'>,
  output: Pick<LoggerOptions, 'destination' | 'now'> = {},
): Logger {
  return createLogger({
    level: config.logLevel,
    name: NAME,
    fields: { pod: config.podName, podIP: config.podIP },
    ...output,
  });
}

/** The container program's last line when it cannot start. */
export function agentStartFailure(msg: string, fields: Record<string, unknown>): void {
  logStartFailure(NAME, msg, fields);
}
