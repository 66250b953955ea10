// The agent as a library: a Node.js app starts it in-process and follows the membership through events.
//
//   import { startAgent } from 'pekko-bootstrap-operator/agent';
//   const agent = await startAgent();                  // settings from process.env, as in the container
//   agent.on('member-up', (m) => console.log('up', m.node));
//   agent.on('membership', (m) => console.log(m.members.length, 'members, leader', m.leader));
//   for await (const [m] of on(agent, 'membership')) ...  // node:events on() gives an async iterator
//   await agent.stop();                                // leaves the cluster, closes the servers
import { readFile } from 'node:fs/promises';
import { systemClock } from '../core/runtime/clock.ts';
import { Agent } from './agent.ts';
import { type AgentConfig, type Env, parseConfig, processEnv } from './config.ts';
import type { Ports } from './ports.ts';
import { httpClient } from './runtime/http-client.ts';
import { httpServers } from './runtime/http-server.ts';
import { kubeApi } from './runtime/kube-api.ts';
import { agentLogger } from './runtime/logger.ts';
import { randomUid } from './runtime/uid.ts';

export { Agent, type AgentEvents, type AgentPhase, type MemberInfo, type Membership } from './agent.ts';
export { type AgentConfig, ENV, type Env, parseConfig } from './config.ts';
export { AgentError, ConfigError, DiscoveryError, TransportError } from './errors.ts';
export type { Clock, HttpClient, HttpServers, KubeApi, Logger, Ports, Random } from './ports.ts';

export interface StartAgentOptions {
  /** Settings as env-style variables (docs/agent.md); default: process.env. */
  env?: Env;
  /** Replaces any of the real side effects (clock, HTTP, Kubernetes API, logger, ...). */
  ports?: Partial<Ports>;
}

/** The pods' namespace: pod-namespace / KUBERNETES_NAMESPACE, else the service-account file, else 'default'. */
export async function resolveNamespace(
  config: AgentConfig,
  read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
): Promise<string> {
  if (config.kubernetes.namespace) return config.kubernetes.namespace;
  try {
    const ns = (await read(config.kubernetes.namespacePath)).trim();
    if (ns) return ns;
  } catch {
    // not in a pod: fall through
  }
  return 'default';
}

/** The real side effects for a config. */
export function realPorts(config: AgentConfig): Ports {
  return {
    clock: systemClock,
    http: httpClient(),
    servers: httpServers,
    kube: kubeApi(config.kubernetes),
    random: Math.random,
    newUid: randomUid,
    logger: agentLogger(config),
  };
}

/**
 * Parses the settings (throws ConfigError naming the variable), binds the management and remoting servers
 * (rejects with code Bind) and starts bootstrap. The returned Agent emits membership events; stop() leaves.
 */
export async function startAgent(options: StartAgentOptions = {}): Promise<Agent> {
  const config = parseConfig(options.env ?? processEnv());
  const ports: Ports = { ...realPorts(config), ...options.ports };
  const agent = new Agent(config, ports, await resolveNamespace(config));
  await agent.start();
  return agent;
}
