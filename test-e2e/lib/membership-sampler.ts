// Samples every pod's own view of its cluster (GET /cluster/members on each pod IP) at a fixed interval while a test
// changes the cluster, and reports what a Pekko user cares about during a rollout or scale-down: how often the
// oldest member (singletons, the shard coordinator) moved, how many members were leaving at once, and whether a
// second cluster ever appeared. Stop it in a `finally`: a loop left running keeps the test process alive.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterMembers } from '../../core/protocol/index.ts';
import { clusterMembersAt } from './cluster-bootstrap.ts';
import { listPods } from './pods.ts';

const LEAVING = new Set(['Leaving', 'Exiting']);

export interface MembershipReport {
  samples: number;
  /** The oldest member every answering pod agreed on, each time it changed (samples where they disagree skipped). */
  oldest: { at: number; node: string }[];
  /** How often the agreed oldest changed. */
  oldestChanges: number;
  /** The most members any sample saw Leaving or Exiting at once (over all pods' answers), and when. */
  maxLeaving: number;
  maxLeavingAt?: { at: number; nodes: string[] };
  /** Signs of a second cluster: disjoint member sets, or members unrelated to the cluster watched. */
  problems: string[];
}

export interface MembershipSampler {
  stop(): Promise<MembershipReport>;
}

/**
 * Starts sampling the pods matching `selector` in `ns`. `initial`: the members before the change; the cluster may
 * renew all of them (a rolling update) but never start again from nothing (its lineage grows with every connected
 * answer).
 */
export function sampleMembership(
  ns: string,
  selector: string,
  initial: readonly string[],
  opts: { port?: number; intervalMs?: number } = {},
): MembershipSampler {
  const port = opts.port ?? 7626;
  const intervalMs = opts.intervalMs ?? 500;
  const lineage = new Set(initial);
  const report: MembershipReport = { samples: 0, oldest: [], oldestChanges: 0, maxLeaving: 0, problems: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const pods = (await listPods(ns, selector).catch(() => [])).filter((p) => p.status?.podIP);
      const answers = await Promise.all(
        pods.map(async (p) => {
          const m = await clusterMembersAt(p.status?.podIP ?? '', port);
          return [p.metadata?.name ?? '', m.ok ? m.value : undefined] as const;
        }),
      );
      const joined = answers.filter(([, m]) => m && m.members.length > 0) as [string, ClusterMembers][];
      record(report, lineage, joined, t);
      report.samples++;
      await sleep(Math.max(0, intervalMs - (Date.now() - t)));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return report;
    },
  };
}

function record(report: MembershipReport, lineage: Set<string>, joined: [string, ClusterMembers][], t: number): void {
  const at = new Date(t).toISOString();
  for (const [name, m] of joined) {
    const nodes = m.members.map((x) => x.node);
    if (!nodes.some((x) => lineage.has(x))) {
      report.problems.push(`${at} ${name} reports a cluster unrelated to the one watched: ${nodes.join(', ')}`);
    } else {
      for (const x of nodes) lineage.add(x);
    }
  }
  for (const [i, [a, ma]] of joined.entries()) {
    const sa = new Set(ma.members.map((x) => x.node));
    for (const [b, mb] of joined.slice(i + 1)) {
      if (!mb.members.some((x) => sa.has(x.node))) report.problems.push(`${at} ${a} and ${b} report disjoint clusters`);
    }
  }
  const oldest = new Set(joined.map(([, m]) => m.oldest).filter((o): o is string => !!o));
  if (oldest.size === 1) {
    const node = [...oldest][0] as string;
    const last = report.oldest.at(-1);
    if (last?.node !== node) {
      if (last) report.oldestChanges++;
      report.oldest.push({ at: t, node });
    }
  }
  const leaving = new Set(joined.flatMap(([, m]) => m.members.filter((x) => LEAVING.has(x.status)).map((x) => x.node)));
  if (leaving.size > report.maxLeaving) {
    report.maxLeaving = leaving.size;
    report.maxLeavingAt = { at: t, nodes: [...leaving].sort() };
  }
}
