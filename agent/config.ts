// The agent's configuration: env vars named after Pekko's config keys (upper-cased, '.' and '-' as '_'), Pekko's
// defaults, parsed once into a frozen object. The only place that reads process.env. A bad value throws a
// ConfigError naming the variable; main.ts turns that into exit code 2. docs/agent.md has the table.

import { DEFAULT_POD_LABEL_SELECTOR, serviceNameFromActorSystem } from '../core/discovery/selector.ts';
import { DEFAULT_MANAGEMENT_PORT, DEFAULT_REMOTING_PORT } from '../core/protocol/address.ts';
import { ConfigError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface AgentConfig {
  actorSystemName: string;
  serviceName: string;
  /** Contact-point port name; unset: one contact point per pod on the management port. */
  portName: string | undefined;
  podName: string | undefined;
  podIP: string | undefined;
  roles: readonly string[];
  management: { hostname: string; port: number; bindHostname: string; bindPort: number; alsoLocalhost: boolean };
  remoting: { hostname: string; port: number; bindHostname: string; bindPort: number };
  bootstrap: {
    discoveryIntervalMs: number;
    backoffRandomFactor: number;
    backoffMaxMs: number;
    stableMarginMs: number;
    requiredContactPointNr: number;
    resolveTimeoutMs: number;
    contactWithAllContactPoints: boolean;
    probeIntervalMs: number;
    probeIntervalJitter: number;
    probingFailureTimeoutMs: number;
    newClusterEnabled: boolean;
  };
  kubernetes: {
    caPath: string;
    tokenPath: string;
    /** Names of the env vars that hold the API server, and their values at start. */
    apiHostEnvName: string;
    apiPortEnvName: string;
    apiHost: string | undefined;
    apiPort: string | undefined;
    /** pod-namespace, else KUBERNETES_NAMESPACE; when unset the namespace file is read (then 'default'). */
    namespace: string | undefined;
    namespacePath: string;
    /** The selector template, with %s. */
    podLabelSelector: string;
    podDomain: string;
    useRawIp: boolean;
    containerName: string | undefined;
  };
  membership: {
    heartbeatIntervalMs: number;
    failureTimeoutMs: number;
    downAfterMs: number;
    memberDiscoveryIntervalMs: number;
  };
  logLevel: string;
}

const P = 'PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_';
const D = 'PEKKO_DISCOVERY_KUBERNETES_API_';

/** The env var names, in one place (docs/agent.md lists them with the defaults). */
export const ENV = {
  actorSystemName: 'PEKKO_ACTOR_SYSTEM_NAME',
  serviceNameKey: `${P}CONTACT_POINT_DISCOVERY_SERVICE_NAME`,
  serviceName: 'PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME',
  portNameKey: `${P}CONTACT_POINT_DISCOVERY_PORT_NAME`,
  portName: 'PEKKO_CLUSTER_BOOTSTRAP_PORT_NAME',
  podIP: 'POD_IP',
  podName: 'POD_NAME',
  namespace: 'KUBERNETES_NAMESPACE',
  roles: 'PEKKO_CLUSTER_ROLES',
  mgmtHostname: 'PEKKO_MANAGEMENT_HTTP_HOSTNAME',
  mgmtPort: 'PEKKO_MANAGEMENT_HTTP_PORT',
  mgmtBindHostname: 'PEKKO_MANAGEMENT_HTTP_BIND_HOSTNAME',
  mgmtBindPort: 'PEKKO_MANAGEMENT_HTTP_BIND_PORT',
  mgmtAlsoLocalhost: 'AGENT_MANAGEMENT_ALSO_LOCALHOST',
  remoteHostname: 'PEKKO_REMOTE_ARTERY_CANONICAL_HOSTNAME',
  remotePort: 'PEKKO_REMOTE_ARTERY_CANONICAL_PORT',
  remoteBindHostname: 'PEKKO_REMOTE_ARTERY_BIND_HOSTNAME',
  remoteBindPort: 'PEKKO_REMOTE_ARTERY_BIND_PORT',
  interval: `${P}CONTACT_POINT_DISCOVERY_INTERVAL`,
  backoffRandomFactor: `${P}CONTACT_POINT_DISCOVERY_EXPONENTIAL_BACKOFF_RANDOM_FACTOR`,
  backoffMax: `${P}CONTACT_POINT_DISCOVERY_EXPONENTIAL_BACKOFF_MAX`,
  stableMargin: `${P}CONTACT_POINT_DISCOVERY_STABLE_MARGIN`,
  required: `${P}CONTACT_POINT_DISCOVERY_REQUIRED_CONTACT_POINT_NR`,
  resolveTimeout: `${P}CONTACT_POINT_DISCOVERY_RESOLVE_TIMEOUT`,
  contactWithAll: `${P}CONTACT_POINT_DISCOVERY_CONTACT_WITH_ALL_CONTACT_POINTS`,
  probeInterval: `${P}CONTACT_POINT_PROBE_INTERVAL`,
  probeJitter: `${P}CONTACT_POINT_PROBE_INTERVAL_JITTER`,
  probingFailureTimeout: `${P}CONTACT_POINT_PROBING_FAILURE_TIMEOUT`,
  newClusterEnabled: `${P}NEW_CLUSTER_ENABLED`,
  caPath: `${D}API_CA_PATH`,
  tokenPath: `${D}API_TOKEN_PATH`,
  apiHostEnvName: `${D}API_SERVICE_HOST_ENV_NAME`,
  apiPortEnvName: `${D}API_SERVICE_PORT_ENV_NAME`,
  podNamespacePath: `${D}POD_NAMESPACE_PATH`,
  podNamespace: `${D}POD_NAMESPACE`,
  podLabelSelector: `${D}POD_LABEL_SELECTOR`,
  podDomain: `${D}POD_DOMAIN`,
  useRawIp: `${D}USE_RAW_IP`,
  containerName: `${D}CONTAINER_NAME`,
  heartbeatInterval: 'AGENT_HEARTBEAT_INTERVAL',
  failureTimeout: 'AGENT_FAILURE_TIMEOUT',
  downAfter: 'AGENT_DOWN_AFTER',
  memberDiscoveryInterval: 'AGENT_MEMBER_DISCOVERY_INTERVAL',
  logLevel: 'LOG_LEVEL',
} as const;

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const UNITS: Record<string, number> = { ms: 1, millis: 1, milliseconds: 1, s: 1000, second: 1000, seconds: 1000 };
Object.assign(UNITS, { m: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000 });

/** HOCON-style duration: `5s`, `500ms`, `1 m`, `5 seconds`; a bare number is milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2] === '' ? 1 : UNITS[m[2] as string];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** Reads typed values from env, throwing ConfigError naming the variable. Empty strings count as unset. */
class Reader {
  readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }
  opt(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }
  str(name: string, def: string): string {
    return this.opt(name) ?? def;
  }
  int(name: string, def: number, min: number, max: number): number {
    const v = this.opt(name);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new ConfigError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return Number(v);
  }
  num(name: string, def: number, min: number, max: number): number {
    const v = this.opt(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || n < min || n > max) {
      throw new ConfigError(name, `must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return n;
  }
  duration(name: string, defMs: number, minMs = 1): number {
    const v = this.opt(name);
    if (v === undefined) return defMs;
    const ms = parseDuration(v);
    if (ms === undefined || ms < minMs) {
      throw new ConfigError(
        name,
        `must be a duration of at least ${minMs}ms like 5s or 500ms, got ${JSON.stringify(v)}`,
      );
    }
    return ms;
  }
  bool(name: string, def: boolean): boolean {
    const v = this.opt(name)?.toLowerCase();
    if (v === undefined) return def;
    if (['true', 'on', 'yes'].includes(v)) return true;
    if (['false', 'off', 'no'].includes(v)) return false;
    throw new ConfigError(name, `must be true or false (or on/off, yes/no), got ${JSON.stringify(v)}`);
  }
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Parses the agent configuration from env-style variables. Throws ConfigError. Pure. */
export function parseConfig(env: Env): AgentConfig {
  const r = new Reader(env);
  const actorSystemName = r.opt(ENV.actorSystemName);
  if (actorSystemName === undefined) throw new ConfigError(ENV.actorSystemName, 'is required');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(actorSystemName)) {
    throw new ConfigError(ENV.actorSystemName, `must be letters, digits, '-' and '_', starting with a letter or digit`);
  }
  const podIP = r.opt(ENV.podIP);
  const hostFrom = (name: string): string => {
    const h = r.opt(name) ?? podIP;
    if (h === undefined) throw new ConfigError(name, `is required when ${ENV.podIP} is unset`);
    if (/[\s/@]/.test(h)) throw new ConfigError(name, `is not a host name or IP: ${JSON.stringify(h)}`);
    return h;
  };
  const mgmtHostname = hostFrom(ENV.mgmtHostname);
  const mgmtPort = r.int(ENV.mgmtPort, DEFAULT_MANAGEMENT_PORT, 1, 65535);
  const remoteHostname = hostFrom(ENV.remoteHostname);
  const remotePort = r.int(ENV.remotePort, DEFAULT_REMOTING_PORT, 1, 65535);
  const roles = (r.opt(ENV.roles) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const selector = r.str(ENV.podLabelSelector, DEFAULT_POD_LABEL_SELECTOR);
  const apiHostEnvName = r.str(ENV.apiHostEnvName, 'KUBERNETES_SERVICE_HOST');
  const apiPortEnvName = r.str(ENV.apiPortEnvName, 'KUBERNETES_SERVICE_PORT');
  const logLevel = r.str(ENV.logLevel, 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(ENV.logLevel, `must be one of ${LOG_LEVELS.join(', ')}`);
  const heartbeatIntervalMs = r.duration(ENV.heartbeatInterval, 1000, 10);
  const failureTimeoutMs = r.duration(ENV.failureTimeout, 3000, 10);
  const downAfterMs = r.duration(ENV.downAfter, 10_000, 10);
  if (failureTimeoutMs <= heartbeatIntervalMs) {
    throw new ConfigError(ENV.failureTimeout, `must be longer than ${ENV.heartbeatInterval}`);
  }
  if (downAfterMs <= failureTimeoutMs)
    throw new ConfigError(ENV.downAfter, `must be longer than ${ENV.failureTimeout}`);

  const config: AgentConfig = {
    actorSystemName,
    serviceName: r.opt(ENV.serviceNameKey) ?? r.opt(ENV.serviceName) ?? serviceNameFromActorSystem(actorSystemName),
    portName: r.opt(ENV.portNameKey) ?? r.opt(ENV.portName),
    podName: r.opt(ENV.podName),
    podIP,
    roles,
    management: {
      hostname: mgmtHostname,
      port: mgmtPort,
      bindHostname: r.str(ENV.mgmtBindHostname, mgmtHostname),
      bindPort: r.int(ENV.mgmtBindPort, mgmtPort, 1, 65535),
      alsoLocalhost: r.bool(ENV.mgmtAlsoLocalhost, false),
    },
    remoting: {
      hostname: remoteHostname,
      port: remotePort,
      bindHostname: r.str(ENV.remoteBindHostname, remoteHostname),
      bindPort: r.int(ENV.remoteBindPort, remotePort, 1, 65535),
    },
    bootstrap: {
      discoveryIntervalMs: r.duration(ENV.interval, 1000),
      backoffRandomFactor: r.num(ENV.backoffRandomFactor, 0.2, 0, 1),
      backoffMaxMs: r.duration(ENV.backoffMax, 15_000),
      stableMarginMs: r.duration(ENV.stableMargin, 5000, 0),
      requiredContactPointNr: r.int(ENV.required, 2, 1, 100_000),
      resolveTimeoutMs: r.duration(ENV.resolveTimeout, 3000),
      contactWithAllContactPoints: r.bool(ENV.contactWithAll, true),
      probeIntervalMs: r.duration(ENV.probeInterval, 1000),
      probeIntervalJitter: r.num(ENV.probeJitter, 0.2, 0, 1),
      probingFailureTimeoutMs: r.duration(ENV.probingFailureTimeout, 3000),
      newClusterEnabled: r.bool(ENV.newClusterEnabled, true),
    },
    kubernetes: {
      caPath: r.str(ENV.caPath, `${SA}/ca.crt`),
      tokenPath: r.str(ENV.tokenPath, `${SA}/token`),
      apiHostEnvName,
      apiPortEnvName,
      apiHost: r.opt(apiHostEnvName),
      apiPort: r.opt(apiPortEnvName),
      namespace: r.opt(ENV.podNamespace) ?? r.opt(ENV.namespace),
      namespacePath: r.str(ENV.podNamespacePath, `${SA}/namespace`),
      podLabelSelector: selector,
      podDomain: r.str(ENV.podDomain, 'cluster.local'),
      useRawIp: r.bool(ENV.useRawIp, false),
      containerName: r.opt(ENV.containerName),
    },
    membership: {
      heartbeatIntervalMs,
      failureTimeoutMs,
      downAfterMs,
      memberDiscoveryIntervalMs: r.duration(ENV.memberDiscoveryInterval, 5000, 100),
    },
    logLevel,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** The process environment. The one read of process.env in the agent. */
export function processEnv(): Env {
  return process.env;
}
