// The agent's pino logger: JSON lines to stdout, fixed messages plus fields, the pod's identity on every line.
import { type Logger, pino } from 'pino';
import type { AgentConfig } from '../config.ts';

export function createLogger(config: Pick<AgentConfig, 'logLevel' | 'podName' | 'podIP'>): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { component: 'bootstrap-agent', pod: config.podName, podIP: config.podIP },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label, number) => ({ level: number, severity: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
