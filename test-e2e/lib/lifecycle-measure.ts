// Measuring a rolling update or a scale-down of a real Pekko cluster while it happens, for the rollout suite and
// benchmark: every pod's /cluster/members sampled (membership-sampler.ts), the Deployment's replicas and the order in
// which pods went, with the pod-deletion-cost each carried when it went.
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { nodeAddress } from '../../core/protocol/index.ts';
import { POD_DELETION_COST } from '../../operator/lifecycle/deletion-cost.ts';
import { clients } from './cluster.ts';
import { clusterMembersAt } from './cluster-bootstrap.ts';
import { kubectl } from './kubectl.ts';
import { type MembershipReport, sampleMembership } from './membership-sampler.ts';
import { describePods, isReady, listPods } from './pods.ts';
import { waitFor } from './wait.ts';

/** A ClusterBootstrap of the Pekko sample (or any app whose pods are labelled app=<system>). */
export interface Target {
  ns: string;
  name: string;
  system: string;
}

const selectorOf = (t: Target) => `app=${t.system}`;
export const nodeOf = (t: Target, p: V1Pod) => nodeAddress(t.system, p.status?.podIP ?? '', 17355);
export const imageOf = (p: V1Pod) => p.spec?.containers.find((c) => c.name === 'app')?.image;

export async function statusOf(t: Target): Promise<ClusterBootstrapStatus> {
  const res = await kubectl(['get', 'cb', t.name, '-o', 'json'], { namespace: t.ns });
  return (JSON.parse(res.stdout) as { status?: ClusterBootstrapStatus }).status ?? {};
}

export const patchSpec = (t: Target, spec: Record<string, unknown>) =>
  kubectl(['patch', 'cb', t.name, '--type', 'merge', '-p', JSON.stringify({ spec })], { namespace: t.ns });

export interface OneCluster {
  pods: V1Pod[];
  oldest: string;
}

/** n Ready pods (running `image` when given), every one reporting the same n Up members and the same oldest. */
export function oneCluster(t: Target, n: number, timeoutMs: number, image?: string): Promise<OneCluster> {
  return waitFor(
    async () => {
      const pods = await listPods(t.ns, selectorOf(t));
      if (pods.length !== n || !pods.every(isReady)) throw new Error(`${n} Ready pods wanted: ${describePods(pods)}`);
      if (image && pods.some((p) => imageOf(p) !== image)) throw new Error(`not every pod runs ${image} yet`);
      const want = pods.map((p) => `${nodeOf(t, p)}:Up`).sort();
      const oldest = new Set<string>();
      for (const p of pods) {
        const m = await clusterMembersAt(p.status?.podIP ?? '');
        const got = m.ok ? m.value.members.map((x) => `${x.node}:${x.status}`).sort() : [];
        if (!m.ok || got.join() !== want.join() || !m.value.oldest) {
          throw new Error(`${p.metadata?.name} reports ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
        oldest.add(m.value.oldest);
      }
      if (oldest.size !== 1) throw new Error(`the pods name different oldest members: ${[...oldest]}`);
      return { pods, oldest: [...oldest][0] as string };
    },
    { what: `one cluster of ${n} Ready pods${image ? ` running ${image}` : ''}`, timeoutMs, intervalMs: 500 },
  );
}

/** Polls every 200 ms until stop(): the values `read` returned, each time it changed. */
function poll<T>(read: () => Promise<T | undefined>, key: (v: T) => string) {
  const seen: { at: number; value: T }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const v = await read().catch(() => undefined);
      if (v !== undefined && (seen.length === 0 || key(seen.at(-1)?.value as T) !== key(v))) {
        seen.push({ at: Date.now(), value: v });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

export interface Departure {
  pod: string;
  at: number;
  /** Its pod-deletion-cost when it was last seen alive. */
  cost: string | undefined;
}

export interface Measured {
  report: MembershipReport;
  ms: number;
  /** The Deployment's spec.replicas each time it changed, from the start. */
  replicas: { at: number; replicas: number }[];
  /** The pods alive at the start, in the order they went (deletionTimestamp set, or gone). */
  departures: Departure[];
  before: OneCluster;
  after: OneCluster;
}

/**
 * Runs `change` on a cluster of `before.pods.length` pods and waits for one cluster of `n` pods (of `image`), sampling
 * throughout. Every loop is stopped whatever happens.
 */
export async function measure(
  t: Target,
  before: OneCluster,
  change: () => Promise<unknown>,
  n: number,
  opts: { image?: string; timeoutMs?: number } = {},
): Promise<Measured> {
  const sampler = sampleMembership(
    t.ns,
    selectorOf(t),
    before.pods.map((p) => nodeOf(t, p)),
  );
  const replicas = poll(
    async () => (await clients().apps.readNamespacedDeployment({ name: t.name, namespace: t.ns })).spec?.replicas,
    String,
  );
  const alive = new Map(before.pods.map((p) => [p.metadata?.name ?? '', p.metadata?.annotations?.[POD_DELETION_COST]]));
  const departures: Departure[] = [];
  const pods = poll(async () => {
    const list = (await clients().core.listNamespacedPod({ namespace: t.ns, labelSelector: selectorOf(t) })).items;
    const live = new Map(list.filter((p) => !p.metadata?.deletionTimestamp).map((p) => [p.metadata?.name ?? '', p]));
    for (const [name, cost] of alive) {
      const p = live.get(name);
      if (p) alive.set(name, p.metadata?.annotations?.[POD_DELETION_COST]);
      else {
        departures.push({ pod: name, at: Date.now(), cost });
        alive.delete(name);
      }
    }
    return alive.size;
  }, String);
  const t0 = Date.now();
  let report: MembershipReport;
  let seenReplicas: { at: number; value: number }[] = [];
  let after: OneCluster;
  try {
    await change();
    after = await oneCluster(t, n, opts.timeoutMs ?? 300_000, opts.image);
  } finally {
    report = await sampler.stop();
    seenReplicas = await replicas.stop();
    await pods.stop();
  }
  return {
    report,
    ms: Date.now() - t0,
    replicas: seenReplicas.map((s) => ({ at: s.at - t0, replicas: s.value })),
    departures: departures.map((d) => ({ ...d, at: d.at - t0 })),
    before,
    after,
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** One line for a figure: what the sampling saw. */
export function describeMeasured(m: Measured): string {
  const steps = m.replicas.map((s) => `${s.replicas}@${seconds(s.at)}`).join(' ');
  const order = m.departures.map((d) => d.cost ?? '-').join(',');
  return (
    `${seconds(m.ms)}, oldest changed ${m.report.oldestChanges}x, at most ${m.report.maxLeaving} Leaving/Exiting at ` +
    `once, oldest ${m.after.oldest === m.before.oldest ? 'kept' : 'moved'}, Deployment replicas ${steps}, costs of ` +
    `the pods in the order they went: ${order} (${m.report.samples} samples)`
  );
}
