// The operator's configuration: read from the environment once, at start, into a frozen object with every default
// in one place. Nothing else in the operator reads process.env.
import { hostname } from 'node:os';
import { ConfigError } from './errors.ts';

export interface OperatorConfig {
  /** Namespaces to watch; empty means all. WATCH_NAMESPACES, a comma list. */
  readonly watchNamespaces: readonly string[];
  /** LEADER_ELECTION=true: only the holder of the Lease reconciles. */
  readonly leaderElection: boolean;
  /** LEADER_ELECTION_NAMESPACE, else POD_NAMESPACE, else 'default'. */
  readonly leaderElectionNamespace: string;
  /** LEADER_ELECTION_ID: the Lease's name. */
  readonly leaderElectionId: string;
  /** POD_NAME, else the hostname: the Lease holder identity and the Events' reportingInstance. */
  readonly podName: string;
  readonly podNamespace: string | undefined;
  /** HTTP_HOST and HTTP_PORT: /healthz, /readyz and /metrics. */
  readonly httpHost: string;
  readonly httpPort: number;
  /** LOG_LEVEL: pino's levels (fatal, error, warn, info, debug, trace, silent). */
  readonly logLevel: string;
  /** Tunables with fixed defaults (not read from the environment). */
  readonly clusterBootstrapConcurrency: number;
  readonly rbacConcurrency: number;
  /** RESYNC_PERIOD: every cached ClusterBootstrap is reconciled again this often, event or not. */
  readonly resyncMs: number;
  /**
   * STATUS_EVENT_STREAMS: the most domain-events streams held at once, one per resource at most (docs/status.md,
   * "Event streams"); 0 turns them off (polling only).
   */
  readonly statusEventStreams: number;
  /** SIGTERM: the longest the operator waits for reconciles in flight before it exits anyway. */
  readonly shutdownTimeoutMs: number;
  /** The longest a replica that is to run the controllers waits for its caches before it gives up (exit 1). */
  readonly cacheSyncTimeoutMs: number;
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function bool(name: string, v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt;
  const s = v.trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new ConfigError(`${name}: expected true or false, got "${v}"`);
}

function count(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}: expected a whole number, 0 or more, got "${v}"`);
  return n;
}

function port(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name}: expected a port number, got "${v}"`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as 30s or 10m (a whole number and ms, s, m or h), at least 1 s. */
function duration(name: string, v: string | undefined, dfltMs: number): number {
  if (v === undefined || v === '') return dfltMs;
  const m = /^(\d+)(ms|s|m|h)$/.exec(v.trim());
  const ms = m ? Number(m[1]) * (DURATION_UNITS[m[2] as string] as number) : Number.NaN;
  if (!(ms >= 1000))
    throw new ConfigError(`${name}: expected a duration of at least 1s such as 30s or 10m, got "${v}"`);
  return ms;
}

/** Parses the configuration from an environment; pure (the caller passes env and the hostname). */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, host: string): OperatorConfig {
  const watchNamespaces = (env.WATCH_NAMESPACES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const ns of watchNamespaces) {
    if (!DNS_LABEL.test(ns)) throw new ConfigError(`WATCH_NAMESPACES: "${ns}" is not a namespace name`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`LOG_LEVEL: expected one of ${[...LOG_LEVELS].join(', ')}`);
  const podNamespace = env.POD_NAMESPACE || undefined;
  return Object.freeze({
    watchNamespaces: Object.freeze([...new Set(watchNamespaces)]),
    leaderElection: bool('LEADER_ELECTION', env.LEADER_ELECTION, false),
    leaderElectionNamespace: env.LEADER_ELECTION_NAMESPACE || podNamespace || 'default',
    leaderElectionId: env.LEADER_ELECTION_ID || 'pekko-bootstrap-operator',
    podName: env.POD_NAME || host,
    podNamespace,
    httpHost: env.HTTP_HOST || '0.0.0.0',
    httpPort: port('HTTP_PORT', env.HTTP_PORT, 8080),
    logLevel,
    clusterBootstrapConcurrency: 16,
    rbacConcurrency: 2,
    resyncMs: duration('RESYNC_PERIOD', env.RESYNC_PERIOD, 10 * 60_000),
    statusEventStreams: count('STATUS_EVENT_STREAMS', env.STATUS_EVENT_STREAMS, 2000),
    shutdownTimeoutMs: 25_000,
    cacheSyncTimeoutMs: 2 * 60_000,
  });
}

/** The process's configuration. Called once, by main. */
export function loadConfig(): OperatorConfig {
  return parseConfig(process.env, hostname());
}
