// The observed status (issue 6) on the real local cluster, through an operator process watching the test's namespace:
// agent pods form, and the ClusterBootstrap's status must say so truthfully: the right seed (Pekko's lowest contact
// point, and what every pod itself reports as oldest), contact point rows, members, conditions, one Formed Event,
// the printer columns, the per-cluster gauges, and no status write while nothing changes. A killed pod must show
// within 10 s; two groups that formed separately must give Degraded naming both seeds, then Recovered. A quota that
// refuses a pod shows in the status message (the Deployment's ReplicaFailure).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, EventsV1Api, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { compareContactPoints } from '../../core/protocol/index.ts';
import {
  applyClusterBootstrap,
  clients,
  clusterLayout,
  clusterMembersAt,
  describePods,
  ensureCrd,
  isReady,
  kubectl,
  listPods,
  loudly,
  type Operator,
  waitFor,
  whileQuiet,
  withOperator,
} from '../lib/index.ts';

const GROUP = 'bootstrap.pekko-operator.dev';
const IMAGE = 'pekko-bootstrap-agent:dev';
const INSTANCE = 'app.kubernetes.io/instance';
const MGMT_PORT = 7626;
const REMOTING_PORT = 17355;
/** Formation on a loaded 2-core machine: pod start, stable margin, joining. Generous; latencies are asserted apart. */
const FORM_TIMEOUT = 180_000;
const DUMP = { dump: { objects: ['clusterbootstraps', 'deployments'] } };

// ---- reading the resource, its Events and the pods -----------------------------------------------------------

const custom = () => clients().kc.makeApiClient(CustomObjectsApi);

async function applyCb(ns: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await applyClusterBootstrap(ns, name, { image: IMAGE, workload: 'agent', ...spec });
}

async function getCb(ns: string, name: string): Promise<ClusterBootstrap> {
  return (await custom().getNamespacedCustomObject({
    group: GROUP,
    version: 'v1alpha1',
    namespace: ns,
    plural: 'clusterbootstraps',
    name,
  })) as ClusterBootstrap;
}

const describeCb = (cb: ClusterBootstrap) =>
  `phase ${cb.status?.phase} (${cb.status?.message}), ready cps ${cb.status?.readyContactPoints}, members ${cb.status?.members}, seed ${cb.status?.seedNode}`;

/**
 * Waits until the resource is Formed with `n` members, `n` ready contact points, every row answered, and the
 * Deployment's counts caught up: the state in which nothing should change any more.
 */
async function formed(ns: string, name: string, n: number, timeoutMs = FORM_TIMEOUT): Promise<ClusterBootstrap> {
  return waitFor(
    async () => {
      const cb = await getCb(ns, name);
      const s = cb.status;
      const settled =
        s?.phase === 'Formed' &&
        s.members === n &&
        s.readyContactPoints === n &&
        s.contactPoints?.length === n &&
        s.contactPoints.every((c) => c.ready && c.node) &&
        s.readyReplicas === n;
      if (!settled) throw new Error(describeCb(cb));
      return cb;
    },
    { what: `${name} Formed with ${n} members`, timeoutMs, intervalMs: 250 },
  );
}

interface StatusEvent {
  type: string;
  reason: string;
  note: string;
}

async function eventsOf(ns: string, name: string): Promise<StatusEvent[]> {
  const list = await clients().kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
  return list.items
    .filter((e) => e.regarding?.kind === 'ClusterBootstrap' && e.regarding.name === name)
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', note: e.note ?? '' }));
}

async function waitForEvent(ns: string, name: string, reason: string): Promise<StatusEvent[]> {
  return waitFor(
    async () => {
      const all = await eventsOf(ns, name);
      const hits = all.filter((e) => e.reason === reason);
      if (hits.length === 0) throw new Error(`events so far: ${all.map((e) => e.reason).join(', ') || 'none'}`);
      return hits;
    },
    { what: `a ${reason} Event on ${name}`, timeoutMs: 20_000 },
  );
}

const nodeOf = (name: string, ip: string) => `pekko://${name}@${ip}:${REMOTING_PORT}`;
const ipOf = (p: V1Pod) => p.status?.podIP ?? '';

/** The pod whose address is lowest in Pekko's contact-point order (signed IP bytes, host, port). */
function lowestPod(pods: V1Pod[]): V1Pod {
  const key = (p: V1Pod) => ({ host: ipOf(p), port: MGMT_PORT, address: ipOf(p) });
  const sorted = [...pods].sort((a, b) => compareContactPoints(key(a), key(b)));
  return sorted[0] as V1Pod;
}

async function oldestReportedBy(ip: string): Promise<string | undefined> {
  const parsed = await clusterMembersAt(ip, MGMT_PORT, 3000);
  if (!parsed.ok) throw new Error(`${ip}: /cluster/members: ${parsed.error}`);
  return parsed.value.oldest;
}

/** Ready, not terminating pods of one resource. */
async function podsOf(ns: string, name: string, n: number, extra = ''): Promise<V1Pod[]> {
  return waitFor(
    async () => {
      const pods = await listPods(ns, `${INSTANCE}=${name}${extra}`);
      if (pods.length !== n || !pods.every(isReady)) throw new Error(describePods(pods));
      return pods;
    },
    { what: `${n} Ready pods of ${name}${extra}`, timeoutMs: FORM_TIMEOUT },
  );
}

/** The process (group) of a pod's app container, from the kubelet stand-in's pid file (docs/local-cluster.md). */
function pidOf(pod: V1Pod): number {
  const file = join(clusterLayout().pods, pod.metadata?.uid ?? '', 'pids', 'app.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
}

/**
 * Polls the resource every 100 ms from now until `changed` holds; returns the milliseconds from `t0` to the first
 * poll that saw it (resolution: one poll plus one GET).
 */
async function latencyUntil(
  ns: string,
  name: string,
  t0: number,
  changed: (cb: ClusterBootstrap) => boolean,
  what: string,
): Promise<number> {
  const seen = await waitFor(
    async () => {
      const cb = await getCb(ns, name);
      if (!changed(cb)) throw new Error(describeCb(cb));
      return Date.now();
    },
    { what, timeoutMs: 60_000, intervalMs: 100 },
  );
  return seen - t0;
}

// ---- the tests ---------------------------------------------------------------------------------------------------

test.before(loudly('apply the CRD', ensureCrd));

test('3 agent pods: Formed with the lowest contact point as seed, rows, conditions, one Formed Event, columns, gauges, no idle write', () =>
  withOperator(
    async (ns, op) => {
      const name = 'trio';
      const t0 = Date.now();
      await applyCb(ns, name, { replicas: 3 });
      const cb = await formed(ns, name, 3);
      console.log(`  apply -> Formed (3 members, every row answered): ${Date.now() - t0} ms`);
      const s = cb.status ?? {};
      const pods = await podsOf(ns, name, 3);
      const seed = nodeOf(name, ipOf(lowestPod(pods)));
      assert.is(s.seedNode, seed, 'seedNode is the lowest contact point in Pekko order');
      for (const p of pods) {
        assert.is(await oldestReportedBy(ipOf(p)), seed, `${p.metadata?.name} reports the seed as oldest`);
      }
      assert.is(s.members, 3);
      assert.is(s.readyContactPoints, 3);
      assert.is(s.replicas, 3);
      const rows = [...(s.contactPoints ?? [])].sort((a, b) => (a.pod < b.pod ? -1 : 1));
      const want = pods
        .map((p) => ({
          pod: p.metadata?.name ?? '',
          host: ipOf(p),
          port: MGMT_PORT,
          ready: true,
          node: nodeOf(name, ipOf(p)),
        }))
        .sort((a, b) => (a.pod < b.pod ? -1 : 1));
      assert.equal(rows, want, 'one row per pod: pod, host, port, ready, node');
      for (const type of ['ContactPointsDiscovered', 'ClusterFormed', 'Ready', 'ResourcesReady']) {
        const c = s.conditions?.find((x) => x.type === type);
        assert.is(c?.status, 'True', `${type}: ${JSON.stringify(c)}`);
      }

      const formedEvents = await waitForEvent(ns, name, 'Formed');
      assert.is(formedEvents.length, 1, `exactly one Formed Event: ${JSON.stringify(formedEvents)}`);
      assert.is(formedEvents[0]?.type, 'Normal');
      assert.ok(formedEvents[0]?.note.includes(seed), `the Formed Event names the seed: ${formedEvents[0]?.note}`);

      // kubectl get: the printer columns, filled.
      const get = await kubectl(['get', 'cb', name, '--no-headers'], { namespace: ns });
      const cols = get.stdout.trim().split(/\s+/);
      assert.equal(cols.slice(0, 6), [name, '3', '3', '3', seed, 'Formed'], get.stdout);
      const head = (await kubectl(['get', 'cb', name, '-o', 'wide'], { namespace: ns })).stdout;
      const [header, line] = head.trim().split('\n');
      for (const h of ['MEMBERS', 'REQUIRED', 'WORKLOAD', 'MESSAGE']) assert.ok(header?.includes(h), header);
      const wide = line?.trim().split(/\s+/) ?? [];
      // NAME REPLICAS READY CONTACT-POINTS SEED PHASE AGE MEMBERS REQUIRED WORKLOAD MESSAGE...
      assert.equal(wide.slice(7, 10), ['3', '3', 'agent'], line);
      assert.ok(line?.includes(`formed around ${seed}`), line);

      // The per-cluster gauges.
      const labels = `namespace="${ns}",name="${name}"`;
      assert.is(await op.metric('pekko_bootstrap_operator_cluster_members', labels), 3);
      assert.is(await op.metric('pekko_bootstrap_operator_cluster_ready_contact_points', labels), 3);
      assert.is(await op.metric('pekko_bootstrap_operator_cluster_phase', `${labels},phase="Formed"`), 1);
      assert.is(await op.metric('pekko_bootstrap_operator_cluster_phase', `${labels},phase="Forming"`), 0);

      await noIdleWrite(ns, name, op, pods);
      assert.is((await eventsOf(ns, name)).filter((e) => e.reason === 'Formed').length, 1, 'still one Formed Event');

      // A deleted resource takes its gauges with it.
      await kubectl(['delete', 'cb', name, '--wait=false'], { namespace: ns });
      await waitFor(async () => !(await op.get('/metrics')).text.includes(labels), {
        what: `no gauges labelled ${labels} after the delete`,
        timeoutMs: 30_000,
      });
    },
    { prefix: 'status', ...DUMP },
  ));

/**
 * After Formed: ~15 s in which the operator reconciles again and again with nothing changed (the resource's
 * informer resync is fixed at 10 min in operator/config.ts, so pod annotations, which enqueue the resource, stand in
 * for it; the operator also requeues itself on its probe schedule). A watch on the resource from its current
 * resourceVersion fails the test at the first write.
 */
async function noIdleWrite(ns: string, name: string, op: Operator, pods: V1Pod[]): Promise<void> {
  const reconciles = () =>
    op.metric('pekko_bootstrap_operator_reconcile_duration_seconds_count', 'controller="clusterbootstrap"');
  const rv = (await getCb(ns, name)).metadata.resourceVersion ?? '';
  const before = await reconciles();
  await whileQuiet<ClusterBootstrap, void>(
    {
      path: `/apis/${GROUP}/v1alpha1/namespaces/${ns}/clusterbootstraps`,
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: rv,
      what: `no write to ${name} while idle`,
      unwanted: (type, cb) => `${type}, status now ${JSON.stringify(cb.status)}`,
    },
    async () => {
      for (let i = 0; i < 5; i++) {
        const pod = pods[i % pods.length]?.metadata?.name ?? '';
        await kubectl(['annotate', 'pod', pod, `e2e.pekko-operator.dev/poke=${i}`, '--overwrite'], { namespace: ns });
        await new Promise((r) => setTimeout(r, 3000)); // the operator reconciles after each poke; the watch looks on
      }
    },
  );
  const after = await reconciles();
  assert.ok(after - before >= 5, `the operator reconciled ${after - before} times in the idle window (want >= 5)`);
}

test('a killed pod shows in the status within 10 s (SIGKILL of its process, and a forced delete)', () =>
  withOperator(
    async (ns) => {
      const name = 'kill';
      await applyCb(ns, name, { replicas: 3 });
      const first = await formed(ns, name, 3);
      const seed = first.status?.seedNode;
      const pods = await podsOf(ns, name, 3);

      // SIGKILL the process of a pod that is not the seed: the pod stays, its container exits, it turns not Ready.
      const victim = pods.find((p) => nodeOf(name, ipOf(p)) !== seed) as V1Pod;
      const vname = victim.metadata?.name ?? '';
      const pid = pidOf(victim);
      const t0 = Date.now();
      process.kill(-pid, 'SIGKILL');
      const killLatency = await latencyUntil(
        ns,
        name,
        t0,
        (cb) =>
          (cb.status?.readyContactPoints ?? 3) < 3 &&
          cb.status?.contactPoints?.find((c) => c.pod === vname)?.ready === false,
        `${vname} not ready in the status after SIGKILL`,
      );
      console.log(`  SIGKILL of ${vname}: status showed it not ready after ${killLatency} ms`);
      assert.ok(killLatency < 10_000, `SIGKILL reflected in ${killLatency} ms (want < 10 000)`);
      await formed(ns, name, 3);

      // A forced delete: the pod object goes at once, the Deployment makes a new one.
      const again = await podsOf(ns, name, 3);
      const gone = again.find((p) => nodeOf(name, ipOf(p)) !== seed) as V1Pod;
      const gname = gone.metadata?.name ?? '';
      const t1 = Date.now();
      await kubectl(['delete', 'pod', gname, '--grace-period=0', '--force', '--wait=false'], { namespace: ns });
      const deleteLatency = await latencyUntil(
        ns,
        name,
        t1,
        (cb) => !cb.status?.contactPoints?.some((c) => c.pod === gname) && (cb.status?.readyContactPoints ?? 3) < 3,
        `${gname} gone from the status`,
      );
      console.log(`  forced delete of ${gname}: gone from the status after ${deleteLatency} ms`);
      assert.ok(deleteLatency < 10_000, `forced delete reflected in ${deleteLatency} ms (want < 10 000)`);
      const back = await formed(ns, name, 3);
      assert.ok(!back.status?.contactPoints?.some((c) => c.pod === gname), 'the deleted pod has no row');
      console.log(`  back to Formed, 3 members, seed ${back.status?.seedNode}, ${Date.now() - t1} ms after the delete`);
    },
    { prefix: 'status-kill', ...DUMP },
  ));

test('a hung member (SIGSTOP): Degraded naming it while unreachable, Formed with 2 once removed, 3 after SIGCONT', () =>
  withOperator(
    async (ns) => {
      const name = 'hang';
      await applyCb(ns, name, { replicas: 3 });
      const first = await formed(ns, name, 3);
      const pods = await podsOf(ns, name, 3);
      const victim = pods.find((p) => nodeOf(name, ipOf(p)) !== first.status?.seedNode) as V1Pod;
      const node = nodeOf(name, ipOf(victim));
      const pid = pidOf(victim);
      // Record every phase and message the status passes through while the member hangs.
      const seen: string[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const cb = await getCb(ns, name).catch(() => undefined);
          const line = `${cb?.status?.phase}: ${cb?.status?.message}`;
          if (cb && seen.at(-1) !== line) seen.push(line);
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const t0 = Date.now();
      let back: ClusterBootstrap;
      try {
        process.kill(-pid, 'SIGSTOP');
        try {
          // The agents call it unreachable after 3 s and remove it after 10 s; its pod turns not Ready after ~6 s.
          const two = await waitFor(
            async () => {
              const cb = await getCb(ns, name);
              const s = cb.status;
              const ok = s?.phase === 'Formed' && s.members === 2 && s.readyContactPoints === 2;
              if (!ok) throw new Error(describeCb(cb));
              return cb;
            },
            { what: 'Formed with 2 members while one hangs', timeoutMs: 90_000 },
          );
          console.log(
            `  SIGSTOP of ${node}: Formed with 2 members after ${Date.now() - t0} ms; ${two.status?.message}`,
          );
        } finally {
          process.kill(-pid, 'SIGCONT');
        }
        back = await formed(ns, name, 3);
      } finally {
        // Stopped whatever happened above: a loop left running would keep this file's process alive.
        watching = false;
        await watcher;
      }
      console.log(`  SIGCONT: Formed with 3 again after ${Date.now() - t0} ms from the SIGSTOP`);
      console.log(`  phases seen: ${seen.join(' | ')}`);
      assert.is(back.status?.seedNode, first.status?.seedNode, 'the seed stays');
      assert.ok(
        seen.some((l) => l.startsWith('Degraded: members unreachable') && l.includes(node)),
        `Degraded naming ${node} while unreachable: ${seen.join(' | ')}`,
      );
      assert.ok(
        !seen.some((l) => l.startsWith('Forming')),
        `a formed cluster never went back to Forming: ${seen.join(' | ')}`,
      );
      const events = await eventsOf(ns, name);
      const reasons = events.map((e) => e.reason);
      assert.ok(
        events.some((e) => e.reason === 'MembersUnreachable' && e.type === 'Warning' && e.note.includes(node)),
        JSON.stringify(events),
      );
      assert.ok(reasons.includes('MemberLost'), JSON.stringify(events));
      assert.ok(reasons.includes('Recovered'), JSON.stringify(events));
      assert.is(reasons.filter((r) => r === 'Formed').length, 1, `one Formed Event: ${JSON.stringify(events)}`);
    },
    { prefix: 'status-hang', ...DUMP },
  ));

test("a quota that refuses a pod: the Deployment's ReplicaFailure shows in the status message", () =>
  withOperator(
    async (ns) => {
      const quota = {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'pods' },
        spec: { hard: { pods: '1' } },
      };
      await kubectl(['apply', '-f', '-'], { namespace: ns, input: JSON.stringify(quota) });
      await applyCb(ns, 'quota', { replicas: 2 });
      const cb = await waitFor(
        async () => {
          const c = await getCb(ns, 'quota');
          const m = c.status?.message ?? '';
          if (!m.includes('Deployment quota cannot create pods (FailedCreate)') || !m.includes('exceeded quota'))
            throw new Error(describeCb(c));
          return c;
        },
        { what: 'ReplicaFailure in the status message', timeoutMs: 60_000 },
      );
      console.log(`  ${cb.status?.message}`);
      assert.match(cb.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '', 'exceeded quota');
    },
    { prefix: 'status-quota', ...DUMP },
  ));

test('a forced split: two groups that formed apart give Degraded naming both seeds, then Recovered', () =>
  withOperator(
    async (ns) => {
      const name = 'split';
      await applyCb(ns, name, {
        replicas: 2,
        bootstrap: { podLabelSelector: 'app=%s,group=a' },
        template: { metadata: { labels: { group: 'a' } } },
      });
      await formed(ns, name, 2);
      const podsA = await podsOf(ns, name, 2, ',group=a');
      const seedA = nodeOf(name, ipOf(lowestPod(podsA)));

      // Group b: the operator's pod template with group=b and a discovery selector that finds group b only. Made by
      // the test, so the operator does not own it, but its pods carry the resource's instance label. One resource's
      // agents cannot form two clusters (they share one ClusterMembership: docs/membership.md), so group b gets a
      // record of its own, split-b, and the rights on it: a misconfiguration made on purpose.
      const { rbac } = clients();
      const record = { apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1', kind: 'ClusterMembership' };
      await kubectl(['create', '-f', '-'], {
        namespace: ns,
        input: JSON.stringify({ ...record, metadata: { name: `${name}-b` } }),
      });
      const own = await rbac.readNamespacedRole({ name: `${name}-membership`, namespace: ns });
      await rbac.createNamespacedRole({
        namespace: ns,
        body: {
          metadata: { name: `${name}-b-membership` },
          rules: (own.rules ?? []).map((r) => ({ ...r, resourceNames: [`${name}-b`] })),
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: ns,
        body: {
          metadata: { name: `${name}-b-membership` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-b-membership` },
          subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
        },
      });
      const { apps } = clients();
      const depA = await apps.readNamespacedDeployment({ name, namespace: ns });
      const template = structuredClone(depA.spec?.template) as NonNullable<V1Deployment['spec']>['template'];
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, group: 'b' } };
      for (const c of template.spec?.containers ?? []) {
        for (const e of c.env ?? []) {
          if (e.name === 'PEKKO_DISCOVERY_KUBERNETES_API_POD_LABEL_SELECTOR') e.value = 'app=%s,group=b';
          if (e.name === 'AGENT_MEMBERSHIP_NAME') e.value = `${name}-b`;
        }
      }
      const app = template.spec?.containers.find((c) => c.name === 'app');
      assert.ok(
        app?.env?.some(
          (e) => e.name === 'PEKKO_DISCOVERY_KUBERNETES_API_POD_LABEL_SELECTOR' && e.value === 'app=%s,group=b',
        ),
        'group b discovers group b',
      );
      await apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `${name}-b` },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: name, [INSTANCE]: name, group: 'b' } },
            template,
          },
        },
      });
      const podsB = await podsOf(ns, name, 2, ',group=b');
      const bReady = Date.now();
      const seedB = nodeOf(name, ipOf(lowestPod(podsB)));
      const podNames = [...podsA, ...podsB].map((p) => p.metadata?.name ?? '');
      const split = await waitFor(
        async () => {
          const cb = await getCb(ns, name);
          const m = cb.status?.message ?? '';
          // Both seeds, and every pod in one of the two groups (the operator's cache may still be catching up
          // with the second pod of b turning Ready: that pod is then in neither group yet). The contact points are
          // what the resource's selector (group=a) finds: group b's pods are probed but are not contact points.
          const all = podNames.every((p) => m.includes(p)) && cb.status?.readyContactPoints === 2;
          if (cb.status?.phase !== 'Degraded' || !m.includes(seedA) || !m.includes(seedB) || !all)
            throw new Error(describeCb(cb));
          return cb;
        },
        { what: `Degraded naming ${seedA} and ${seedB} and all 4 pods`, timeoutMs: 60_000 },
      );
      console.log(`  split: ${split.status?.message} (${Date.now() - bReady} ms after group b was Ready)`);
      const formedCond = split.status?.conditions?.find((c) => c.type === 'ClusterFormed');
      assert.is(formedCond?.status, 'False');
      assert.is(formedCond?.reason, 'SplitBrain');
      assert.equal(
        split.status?.contactPoints?.map((c) => c.pod).sort(),
        podsA.map((p) => p.metadata?.name).sort(),
        "the contact points are group a's pods, as the resource's selector finds them",
      );
      const warnings = await waitForEvent(ns, name, 'SplitDetected');
      assert.ok(
        warnings.some((e) => e.type === 'Warning' && e.note.includes(seedA) && e.note.includes(seedB)),
        JSON.stringify(warnings),
      );

      // Group b goes: one cluster again.
      const tDelete = Date.now();
      await apps.deleteNamespacedDeployment({ name: `${name}-b`, namespace: ns, propagationPolicy: 'Foreground' });
      const back = await formed(ns, name, 2, 90_000);
      console.log(`  group b deleted: Formed again after ${Date.now() - tDelete} ms`);
      assert.is(back.status?.seedNode, seedA);
      const recovered = await waitForEvent(ns, name, 'Recovered');
      assert.ok(recovered[0]?.note.includes(seedA), JSON.stringify(recovered));
    },
    { prefix: 'status-split', ...DUMP },
  ));

test.run();
