// The agent's configuration, parsed once into a frozen object from env vars. Which variables, their types and
// defaults are the settings catalog's (core/settings/catalog.ts, the contract with the operator; docs/agent.md has
// the table); this file adds what depends on other settings (host names default to POD_IP, bind addresses to the
// advertised ones) and the checks between them. The only place that reads process.env. A bad value throws a
// ConfigError naming the variable; main.ts turns that into exit code 2.
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
  const heartbeatIntervalMs = get(S.heartbeatInterval);
  const failureTimeoutMs = get(S.failureTimeout);
  const downAfterMs = get(S.downAfter);
  if (failureTimeoutMs <= heartbeatIntervalMs) {
    throw new ConfigError(ENV.failureTimeout, `must be longer than ${ENV.heartbeatInterval}`);
  }
  if (downAfterMs <= failureTimeoutMs)
    throw new ConfigError(ENV.downAfter, `must be longer than ${ENV.failureTimeout}`);

  const config: AgentConfig = {
    actorSystemName,
    serviceName: get(S.serviceName) ?? serviceNameFromActorSystem(actorSystemName),
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
    remoting: {
      hostname: remoteHostname,
      port: remotePort,
      bindHostname: get(S.remotingBindHostname) ?? remoteHostname,
      bindPort: get(S.remotingBindPort) ?? remotePort,
    },
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
    membership: {
      heartbeatIntervalMs,
      failureTimeoutMs,
      downAfterMs,
      memberDiscoveryIntervalMs: get(S.memberDiscoveryInterval),
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
