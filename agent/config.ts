// The agent's configuration, parsed once into a frozen object from env vars. Which variables, their types and
// defaults are the settings catalog's (core/settings/catalog.ts, the contract with the operator; docs/agent.md has
// the table); this file adds what depends on other settings (host names default to POD_IP, bind addresses to the
// advertised ones, the membership's name to the service name, the removal margin to its bound) and the checks between
// them. The only place that reads process.env. A bad value throws a ConfigError naming the variable; main.ts turns
// that into exit code 2.
import { serviceNameFromActorSystem } from '../core/discovery/selector.ts';
import { ENV, SETTINGS } from '../core/settings/catalog.ts';
import { type Env, lookup, type Setting } from '../core/settings/setting.ts';
import { ConfigError } from './errors.ts';

export { ENV } from '../core/settings/catalog.ts';
export type { Env } from '../core/settings/setting.ts';

export interface AgentConfig {
  actorSystemName: string;
  serviceName: string;
  /** Contact-point port name; unset: one contact point per pod on the management port. */
  portName: string | undefined;
  podName: string | undefined;
  podIP: string | undefined;
  roles: readonly string[];
  management: { hostname: string; port: number; bindHostname: string; bindPort: number; alsoLocalhost: boolean };
  /** This node's address `pekko://<system>@<hostname>:<port>`; the agent listens on no remoting port. */
  remoting: { hostname: string; port: number };
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
  /** docs/membership.md, "Settings". */
  membership: {
    /** The ClusterMembership's name. */
    name: string;
    contactIntervalMs: number;
    contactTimeoutMs: number;
    removalMarginMs: number;
    joinGraceMs: number;
    requestTimeoutMs: number;
  };
  logLevel: string;
}

/** A setting's value from env: its default when none of its names is set; a bad value throws a ConfigError. */
function reader(env: Env) {
  return <T, D extends T | undefined>(s: Setting<T, D>): T | D => {
    const found = lookup(env, s);
    if (!found) return s.default;
    const parsed = s.type.parse(found.text);
    if (!parsed.ok) throw new ConfigError(found.name, parsed.error);
    return parsed.value;
  };
}

/** A1 in docs/membership.md: every pod's monotonic clock runs within this rate of real time. */
export const CLOCK_RATE_ERROR = 1e-3;
/** A3: an answer computed from a claim reaches its reader within this (ms). */
export const PAUSE_ALLOWANCE_MS = 1000;

/** The least removal margin that keeps two members from claiming `oldest` at once: (1+ρ)(F/(1−ρ) + π). */
export function minRemovalMarginMs(contactTimeoutMs: number): number {
  const rho = CLOCK_RATE_ERROR;
  return Math.ceil((1 + rho) * (contactTimeoutMs / (1 - rho) + PAUSE_ALLOWANCE_MS));
}

/** The membership settings and the checks between them (docs/membership.md, "The removal margin"). */
function membershipSettings(env: Env, get: ReturnType<typeof reader>, serviceName: string): AgentConfig['membership'] {
  const S = SETTINGS;
  const name = get(S.membershipName) ?? serviceName;
  if (!lookup(env, S.membershipName)) {
    const parsed = S.membershipName.type.parse(name);
    if (!parsed.ok) {
      throw new ConfigError(
        ENV.membershipName,
        `${parsed.error}, got ${JSON.stringify(name)} (unset, it is the service name)`,
      );
    }
  }
  const contactIntervalMs = get(S.apiContactInterval);
  const requestTimeoutMs = get(S.apiRequestTimeout);
  const contactTimeoutMs = get(S.apiContactTimeout);
  if (contactTimeoutMs <= contactIntervalMs + requestTimeoutMs) {
    throw new ConfigError(
      ENV.apiContactTimeout,
      `must be longer than ${ENV.apiContactInterval} + ${ENV.apiRequestTimeout} (${contactIntervalMs + requestTimeoutMs}ms), so that one failed read does not isolate a member`,
    );
  }
  const least = minRemovalMarginMs(contactTimeoutMs);
  const set = lookup(env, S.removalMargin) !== undefined;
  const removalMarginMs = set ? get(S.removalMargin) : Math.max(S.removalMargin.default, least);
  if (removalMarginMs < least) {
    throw new ConfigError(
      ENV.removalMargin,
      `must be at least ${least}ms with ${ENV.apiContactTimeout}=${contactTimeoutMs}ms, or two members could both claim to be the oldest (docs/membership.md)`,
    );
  }
  return {
    name,
    contactIntervalMs,
    contactTimeoutMs,
    removalMarginMs,
    joinGraceMs: get(S.joinGrace),
    requestTimeoutMs,
  };
}

/** Parses the agent configuration from env-style variables. Throws ConfigError. Pure. */
export function parseConfig(env: Env): AgentConfig {
  const get = reader(env);
  const S = SETTINGS;
  const actorSystemName = get(S.actorSystemName);
  if (actorSystemName === undefined) throw new ConfigError(ENV.actorSystemName, 'is required');
  const podIP = get(S.podIP);
  const hostOf = (s: typeof S.managementHostname): string => {
    const h = get(s) ?? podIP;
    if (h === undefined) throw new ConfigError(s.env[0] as string, `is required when ${ENV.podIP} is unset`);
    return h;
  };
  const mgmtHostname = hostOf(S.managementHostname);
  const mgmtPort = get(S.managementPort);
  const remoteHostname = hostOf(S.remotingHostname);
  const remotePort = get(S.remotingPort);
  const apiHostEnvName = get(S.apiServiceHostEnvName);
  const apiPortEnvName = get(S.apiServicePortEnvName);
  const logLevel = get(S.logLevel);
  const serviceName = get(S.serviceName) ?? serviceNameFromActorSystem(actorSystemName);

  const config: AgentConfig = {
    actorSystemName,
    serviceName,
    portName: get(S.portName),
    podName: get(S.podName),
    podIP,
    roles: [...get(S.roles)],
    management: {
      hostname: mgmtHostname,
      port: mgmtPort,
      bindHostname: get(S.managementBindHostname) ?? mgmtHostname,
      bindPort: get(S.managementBindPort) ?? mgmtPort,
      alsoLocalhost: get(S.managementAlsoLocalhost),
    },
    remoting: { hostname: remoteHostname, port: remotePort },
    bootstrap: {
      discoveryIntervalMs: get(S.discoveryInterval),
      backoffRandomFactor: get(S.backoffRandomFactor),
      backoffMaxMs: get(S.backoffMax),
      stableMarginMs: get(S.stableMargin),
      requiredContactPointNr: get(S.requiredContactPointNr),
      resolveTimeoutMs: get(S.resolveTimeout),
      contactWithAllContactPoints: get(S.contactWithAllContactPoints),
      probeIntervalMs: get(S.probeInterval),
      probeIntervalJitter: get(S.probeIntervalJitter),
      probingFailureTimeoutMs: get(S.probingFailureTimeout),
      newClusterEnabled: get(S.newClusterEnabled),
    },
    kubernetes: {
      caPath: get(S.apiCaPath),
      tokenPath: get(S.apiTokenPath),
      apiHostEnvName,
      apiPortEnvName,
      apiHost: env[apiHostEnvName]?.trim() || undefined,
      apiPort: env[apiPortEnvName]?.trim() || undefined,
      namespace: get(S.podNamespace) ?? get(S.kubernetesNamespace),
      namespacePath: get(S.podNamespacePath),
      podLabelSelector: get(S.podLabelSelector),
      podDomain: get(S.podDomain),
      useRawIp: get(S.useRawIp),
      containerName: get(S.containerName),
    },
    membership: membershipSettings(env, get, serviceName),
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
