// Agent clusters (`workload: agent`) for the e2e suites (agent.e2e.ts, agent-failures.e2e.ts): a ClusterBootstrap
// named `agents` in a fresh namespace with its own operator, and membership read the way the operator reads it:
// GET /cluster/members on each pod IP. The pods' log files outlive the pods, so a suite can count foundings.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterMembers } from '../../core/protocol/pekko.ts';
import { clusterLayout } from './cluster.ts';
import { applyClusterBootstrap, clusterMembersAt } from './cluster-bootstrap.ts';
import { kubectl } from './kubectl.ts';
import { withNamespace } from './namespace.ts';
import { Operator } from './operator.ts';
import { describePods, isReady, listPods } from './pods.ts';
import { waitFor } from './wait.ts';

export const AGENT_IMAGE = 'pekko-bootstrap-agent:dev';
export const AGENTS = 'agents';
export const AGENTS_SELECTOR = `app=${AGENTS}`;

export interface OperatorHandle {
  /** SIGTERM and wait for the exit (the operator is "paused": nothing repairs the children). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Runs fn in a fresh namespace with its own operator; prints the operator's log tail when fn throws. */
export async function agentScenario(
  prefix: string,
  fn: (ns: string, operator: OperatorHandle) => Promise<void>,
): Promise<void> {
  await withNamespace(
    async (ns) => {
      let op: Operator | undefined = await Operator.start(ns, `op-${ns}`);
      const handle: OperatorHandle = {
        stop: async () => {
          await op?.stop();
          op = undefined;
        },
        start: async () => {
          op = await Operator.start(ns, `op-${ns}`);
        },
      };
      try {
        await fn(ns, handle);
      } catch (err) {
        if (op) process.stderr.write(`----- operator log (${op.logFile})\n${op.tail(40)}\n`);
        throw err;
      } finally {
        await handle.stop();
      }
    },
    {
      prefix,
      dump: { objects: ['clusterbootstraps', 'clustermemberships', 'deployments', 'roles', 'rolebindings'] },
    },
  );
}

export async function applyAgents(ns: string, spec: Record<string, unknown>): Promise<void> {
  await applyClusterBootstrap(ns, AGENTS, { image: AGENT_IMAGE, workload: 'agent', ...spec });
}

export async function patchAgents(ns: string, spec: Record<string, unknown>): Promise<void> {
  await kubectl(['patch', 'clusterbootstrap', AGENTS, '--type', 'merge', '-p', JSON.stringify({ spec })], {
    namespace: ns,
  });
}

export const agentNode = (p: V1Pod) => `pekko://${AGENTS}@${p.status?.podIP}:17355`;

export async function members(ip: string): Promise<ClusterMembers | undefined> {
  const parsed = await clusterMembersAt(ip);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * Waits until exactly `n` pods (not terminating) are Ready and each reports the same members: those n pods, all Up,
 * nobody unreachable. Returns the pods.
 */
export async function oneAgentCluster(ns: string, n: number, timeoutMs = 120_000): Promise<V1Pod[]> {
  return waitFor(
    async () => {
      const pods = await listPods(ns, AGENTS_SELECTOR);
      if (pods.length !== n || !pods.every(isReady)) throw new Error(`${n} Ready pods wanted: ${describePods(pods)}`);
      const want = pods
        .map((p) => `${agentNode(p)}:Up`)
        .sort()
        .join(',');
      for (const p of pods) {
        const m = await members(p.status?.podIP ?? '');
        const got = m?.members
          .map((x) => `${x.node}:${x.status}`)
          .sort()
          .join(',');
        if (!m || got !== want || m.unreachable.length > 0) {
          throw new Error(`${p.metadata?.name} reports ${JSON.stringify(m?.members.map((x) => x.node))}, want ${want}`);
        }
      }
      return pods;
    },
    { what: `one cluster of ${n} agents`, timeoutMs, intervalMs: 500 },
  );
}

/** The app container logs of every pod this namespace ever had (files outlive the pods). */
export function agentLogs(ns: string): string[] {
  const dir = clusterLayout().podLogs;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${ns}_`) && f.endsWith('_app.log'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** Log lines of the namespace's agents with this message, parsed. */
export function agentLogLines(ns: string, msg: string): Array<Record<string, unknown>> {
  return agentLogs(ns)
    .flatMap((log) => log.split('\n'))
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A pod's GET /ready: 200 while it claims membership as an Up member; undefined when it does not answer. */
export async function readyStatus(ip: string): Promise<number | undefined> {
  try {
    return (await fetch(`http://${ip}:7626/ready`, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return undefined;
  }
}

/** The node addresses each pod reports as members (empty while it claims no membership), by pod name. */
export async function memberViews(pods: readonly V1Pod[]): Promise<Map<string, string[]>> {
  const views = await Promise.all(
    pods.map(async (p) => {
      const m = await members(p.status?.podIP ?? '');
      return [p.metadata?.name ?? '', (m?.members ?? []).map((x) => x.node).sort()] as const;
    }),
  );
  return new Map(views);
}

/** Each member's uid (as its pods report it): the same uid is the same incarnation. */
export async function memberUids(pods: readonly V1Pod[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of pods) {
    for (const m of (await members(p.status?.podIP ?? ''))?.members ?? []) out.set(m.node, m.nodeUid);
  }
  return out;
}

export const foundings = (ns: string) =>
  agentLogs(ns).reduce((n, log) => n + (log.match(/"msg":"formed a new cluster"/g)?.length ?? 0), 0);

/**
 * Polls every pod's members until stop() and records each moment at which two pods report disjoint member lists
 * (two clusters). Members of one cluster always share at least one member.
 */
export function watchForSplits(ns: string): { stop: () => Promise<string[]> } {
  const splits: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const pods = (await listPods(ns, AGENTS_SELECTOR).catch(() => [])).filter((p) => p.status?.podIP);
      const sets = (
        await Promise.all(pods.map(async (p) => [p.metadata?.name, await members(p.status?.podIP ?? '')] as const))
      )
        .filter(([, m]) => m && m.members.length > 0)
        .map(([name, m]) => [name, new Set(m?.members.map((x) => x.node))] as const);
      for (const [i, [a, sa]] of sets.entries()) {
        for (const [b, sb] of sets.slice(i + 1)) {
          if (![...sa].some((x) => sb.has(x)))
            splits.push(`${new Date().toISOString()} ${a} and ${b} are in different clusters`);
        }
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return splits;
    },
  };
}

/**
 * Runs independent scenarios (each in its own namespace, e.g. agentScenario) at the same time, to share their waits
 * (join grace, removal margin); waits for all of them, then fails with every error. Only for scenarios that touch
 * nothing shared: no API server restart, no cluster-wide counter.
 */
export async function concurrently(scenarios: Record<string, () => Promise<void>>): Promise<void> {
  const names = Object.keys(scenarios);
  const results = await Promise.allSettled(names.map((n) => scenarios[n]?.()));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ name: names[i], reason: r.reason }] : []));
  if (failed.length === 1) {
    process.stderr.write(`scenario ${failed[0]?.name} failed\n`);
    throw failed[0]?.reason; // uvu prints an assertion's diff
  }
  if (failed.length) throw new Error(failed.map((f) => `${f.name}: ${errorText(f.reason)}`).join('\n'));
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
