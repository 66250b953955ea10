// The real Pekko sample app (test-e2e/pekko-sample) on the local cluster, for suites that run it: building it, each
// pod's own view of its cluster (GET /cluster/members on the pod IP), "one cluster of n" as the nodes see it, a
// sampler that fails on any sign of a second cluster, and the resource's status recorded from a watch.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type V1Pod, Watch } from '@kubernetes/client-node';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { type ClusterMembers, nodeAddress } from '../../core/protocol/index.ts';
import { clients, clusterLayout } from './cluster.ts';
import { clusterMembersAt } from './cluster-bootstrap.ts';
import { e2eEnv, REPO_ROOT } from './env.ts';
import { describePods, isReady, listPods } from './pods.ts';
import { waitFor } from './wait.ts';

export const SAMPLE = {
  system: 'pekko-sample', // Main.java's actor system name
  image: 'pekko-sample:dev',
  selector: 'app=pekko-sample', // serviceName defaults to actorSystemName
  remotingPort: 17355,
  managementPort: 7626,
} as const;

/** Brings the local cluster up when there is none and builds the sample (cached); returns the jar's path. */
export function buildSample(): string {
  const sh = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CLUSTER_DIR: e2eEnv.clusterDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  // The cluster first: build.sh writes the image map into its images.d only when that folder exists. Only when there
  // is none: `up` on a cluster that looks unhealthy starts it afresh, and a suite in the other lane may have stopped
  // the API server on purpose (a suite that does so runs alone, docs/testing.md, but never wipe a cluster from here).
  if (!existsSync(join(e2eEnv.clusterDir, 'state.json'))) {
    sh(process.execPath, [join(REPO_ROOT, 'local-cluster', 'cli.ts'), 'up', '--dir', e2eEnv.clusterDir]);
  }
  const jar =
    sh(join(REPO_ROOT, 'test-e2e', 'pekko-sample', 'build.sh'), [])
      .trim()
      .split('\n')
      .pop() ?? '';
  if (!existsSync(jar)) throw new Error(`build.sh printed no jar: ${jar}`);
  return jar;
}

export const nodeOf = (p: V1Pod) => nodeAddress(SAMPLE.system, p.status?.podIP ?? '', SAMPLE.remotingPort);

export async function membersAt(ip: string): Promise<ClusterMembers | undefined> {
  const parsed = await clusterMembersAt(ip, SAMPLE.managementPort);
  return parsed.ok ? parsed.value : undefined;
}

/** The app container's restarts. */
export const restarts = (p: V1Pod) => p.status?.containerStatuses?.find((c) => c.name === 'app')?.restartCount ?? 0;

export interface OneCluster {
  pods: V1Pod[];
  /** The oldest member every node names. */
  oldest: string;
}

/**
 * Until exactly n pods (not terminating) are Ready and every one reports the same members (those n pods, all Up,
 * none unreachable) and the same oldest member.
 */
export function oneCluster(ns: string, n: number, timeoutMs: number): Promise<OneCluster> {
  return waitFor(
    async () => {
      const pods = await listPods(ns, SAMPLE.selector);
      if (pods.length !== n || !pods.every(isReady)) throw new Error(`${n} Ready pods wanted: ${describePods(pods)}`);
      const want = pods.map((p) => `${nodeOf(p)}:Up`).sort();
      const oldest = new Set<string | undefined>();
      for (const p of pods) {
        const m = await membersAt(p.status?.podIP ?? '');
        const got = m?.members.map((x) => `${x.node}:${x.status}`).sort() ?? [];
        if (!m || got.join() !== want.join() || m.unreachable.length > 0 || !m.oldest) {
          throw new Error(`${p.metadata?.name} reports ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
        oldest.add(m.oldest);
      }
      if (oldest.size !== 1) throw new Error(`the nodes name different oldest members: ${[...oldest]}`);
      return { pods, oldest: [...oldest][0] as string };
    },
    { what: `one cluster of ${n} Ready pods (${SAMPLE.selector})`, timeoutMs, intervalMs: 500 },
  );
}

/**
 * Samples every pod's /cluster/members every `intervalMs` until stop(), and records every sign of a second cluster:
 * two pods that report disjoint member sets (a node that founded a cluster of its own shares no member with the
 * others), or a pod whose oldest member never belonged to the cluster watched. stop() returns what it saw.
 */
export function watchOneCluster(ns: string, initial: string[], intervalMs = 500) {
  const lineage = new Set(initial);
  const problems: string[] = [];
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const pods = (await listPods(ns, SAMPLE.selector).catch(() => [])).filter((p) => p.status?.podIP);
      const answers = await Promise.all(
        pods.map(async (p) => [p.metadata?.name ?? '', await membersAt(p.status?.podIP ?? '')] as const),
      );
      const joined = answers.filter(([, m]) => m && m.members.length > 0) as [string, ClusterMembers][];
      const at = new Date().toISOString();
      for (const [, m] of joined) for (const x of m.members) lineage.add(x.node);
      for (const [name, m] of joined) {
        if (m.oldest && !lineage.has(m.oldest)) problems.push(`${at} ${name} names an unknown oldest ${m.oldest}`);
      }
      for (const [i, [a, ma]] of joined.entries()) {
        const sa = new Set(ma.members.map((x) => x.node));
        for (const [b, mb] of joined.slice(i + 1)) {
          if (!mb.members.some((x) => sa.has(x.node))) {
            problems.push(
              `${at} ${a} and ${b} report disjoint clusters: ${[...sa].join(', ')} / ${mb.members.map((x) => x.node).join(', ')}`,
            );
          }
        }
      }
      samples++;
      await sleep(Math.max(0, intervalMs - (Date.now() - t)));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { problems, samples };
    },
  };
}

/** The app container logs of every pod this namespace ever had (files outlive the pods; restarts append). */
export function appLogs(ns: string): Map<string, string> {
  const dir = clusterLayout().podLogs;
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`${ns}_`) && f.endsWith('_app.log')) {
      out.set(f.slice(ns.length + 1, -'_app.log'.length), readFileSync(join(dir, f), 'utf8'));
    }
  }
  return out;
}

/** How many times a node founded a new cluster (Pekko logs `[pekkoBootstrapJoinSelf]` when it joins itself). */
export const foundings = (ns: string) =>
  [...appLogs(ns).values()].reduce((n, log) => n + (log.match(/\[pekkoBootstrapJoinSelf\]/g)?.length ?? 0), 0);

export interface StatusSample {
  at: number;
  status: ClusterBootstrapStatus;
}

/** Every status the API server sent for one resource, with the local time it arrived. */
export class StatusLog {
  readonly samples: StatusSample[] = [];
  private abort: AbortController | undefined;
  private stopped = false;
  private readonly ns: string;
  private readonly name: string;

  constructor(ns: string, name: string) {
    this.ns = ns;
    this.name = name;
  }

  async start(): Promise<this> {
    const path = `/apis/bootstrap.pekko-operator.dev/v1alpha1/namespaces/${this.ns}/clusterbootstraps`;
    this.abort = await new Watch(clients().kc).watch(
      path,
      { fieldSelector: `metadata.name=${this.name}` },
      (_type, obj: { status?: ClusterBootstrapStatus }) => {
        this.samples.push({ at: Date.now(), status: obj.status ?? {} });
      },
      () => {
        // A watch ends now and then (server timeout): start another; it begins with the current object.
        if (!this.stopped) void sleep(200).then(() => (this.stopped ? undefined : this.start()));
      },
    );
    if (this.stopped) this.abort.abort(); // stop() came while this watch was being opened
    return this;
  }

  latest(): ClusterBootstrapStatus {
    return this.samples.at(-1)?.status ?? {};
  }

  /** The first sample at or after `since` that satisfies pred. */
  firstAt(pred: (s: ClusterBootstrapStatus) => boolean, since = 0): StatusSample | undefined {
    return this.samples.find((s) => s.at >= since && pred(s.status));
  }

  /** Until the latest status satisfies pred; the first sample since `since` that did, with its time. */
  async until(pred: (s: ClusterBootstrapStatus) => boolean, what: string, timeoutMs: number, since = 0) {
    await waitFor(
      () => {
        const s = this.latest();
        if (!pred(s)) throw new Error(`phase=${s.phase} members=${s.members} message=${JSON.stringify(s.message)}`);
        return true;
      },
      { what, timeoutMs, intervalMs: 200 },
    );
    return this.samples.find((x) => x.at >= since && pred(x.status)) as StatusSample;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }
}
