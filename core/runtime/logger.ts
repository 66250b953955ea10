// The one logger factory of the operator and the agent, so the product writes one log schema: pino JSON lines with
// `level` as a name ("info", "warn", ...), `time` as ISO 8601 wall time, `name` (the program), any fixed fields,
// then a fixed `msg` and the event's own fields. docs/operator.md and docs/agent.md describe it.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** pino's level: trace, debug, info, warn, error, fatal or silent. */
  level: string;
  /** The program: `pekko-bootstrap-operator` or `bootstrap-agent`. */
  name: string;
  /** Fields on every line (the agent: pod, podIP). */
  fields?: Record<string, unknown>;
  /** Where the lines go; default: stdout, written synchronously (nothing is lost on process.exit). */
  destination?: DestinationStream;
  /** Wall time for `time`, epoch ms; default Date.now (the agent's simulation passes its fake clock). */
  now?: () => number;
}

export function createLogger(o: LoggerOptions): Logger {
  const now = o.now ?? Date.now;
  return pino(
    {
      level: o.level,
      base: { name: o.name, ...o.fields },
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    o.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The last line of a process that cannot start (no logger is configured yet): level fatal, on stderr. */
export function logStartFailure(name: string, msg: string, fields: Record<string, unknown>): void {
  createLogger({ level: 'info', name, destination: pino.destination({ dest: 2, sync: true }) }).fatal(fields, msg);
}
