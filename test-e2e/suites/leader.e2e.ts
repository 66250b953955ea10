// Leader election under a stalled connection (issue 11, defect 1), with two operator replicas on the local cluster.
// Each replica talks to the API server through its own ApiProxy (test-e2e/lib/api-proxy.ts), which records every
// request it forwards, so "who wrote when" is measured on one clock, outside the operators. The leader's proxy can
// make its Lease calls hang while its other calls (watches, applies, status, Events) still work. Meanwhile the test
// keeps changing the resource's spec, so that whoever leads has something to write all the time.
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, PatchStrategy, type V1Lease } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiProxy, isWrite, type ProxiedRequest } from '../lib/api-proxy.ts';
import { applyClusterBootstrap, clients, ensureCrd, Operator, waitFor, withNamespace } from '../lib/index.ts';

test.before(ensureCrd);

const LEASE = 'pekko-bootstrap-operator';
/** A Lease request: get and update .../leases/<name>, create .../leases. */
const LEASE_PATH = /\/leases(\/|\?|$)/;
const RENEW_DEADLINE_MS = 10_000; // operator/kernel/leader.ts

const isLeaseCall = (r: ProxiedRequest) => LEASE_PATH.test(r.path);
/** Writes other than the Lease's: what a reconcile does (applies, status patches, Events). */
const reconcileWrites = (p: ApiProxy) => p.requests.filter((r) => isWrite(r) && !isLeaseCall(r) && !r.stalled);

interface Replica {
  op: Operator;
  proxy: ApiProxy;
  exitedAt: Promise<number>;
}

/** Runs fn in a fresh namespace; prints the replicas' log tails when it throws; stops them and their proxies. */
async function scenario(fn: (ns: string, start: (name: string) => Promise<Replica>) => Promise<void>): Promise<void> {
  await withNamespace(
    async (ns) => {
      const replicas: Replica[] = [];
      const start = async (name: string): Promise<Replica> => {
        const proxy = await ApiProxy.start(`${ns}-${name}`);
        try {
          const op = await Operator.start(ns, name, {
            LEADER_ELECTION: 'true',
            LEADER_ELECTION_NAMESPACE: ns,
            KUBECONFIG: proxy.kubeconfig,
          });
          const r = { op, proxy, exitedAt: op.exited.then(() => Date.now()) };
          replicas.push(r);
          return r;
        } catch (err) {
          await proxy.close();
          throw err;
        }
      };
      try {
        await fn(ns, start);
      } catch (err) {
        for (const { op } of replicas)
          process.stderr.write(`----- operator ${op.name} (${op.logFile})\n${op.tail(40)}\n`);
        throw err;
      } finally {
        await Promise.all(replicas.map((r) => r.op.stop()));
        await Promise.all(replicas.map((r) => r.proxy.close()));
      }
    },
    { prefix: 'leader', dump: { objects: ['clusterbootstraps', 'deployments', 'leases'] } },
  );
}

function leases() {
  return clients().kc.makeApiClient(CoordinationV1Api);
}

async function readLease(ns: string): Promise<V1Lease | undefined> {
  try {
    return await leases().readNamespacedLease({ name: LEASE, namespace: ns });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const holder = async (ns: string) => (await readLease(ns))?.spec?.holderIdentity;

/** Changes spec.bootstrap.stableMargin every 250 ms until stopped: each change is a Deployment apply, a status patch
 *  and an Event for the leader to write. Resolves with the number of changes made. */
function churn(ns: string, name: string, stop: AbortSignal): Promise<number> {
  return (async () => {
    let i = 0;
    while (!stop.aborted) {
      i++;
      const patch = {
        apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
        kind: 'ClusterBootstrap',
        metadata: { name, namespace: ns },
        spec: { bootstrap: { stableMargin: `${1000 + i}ms` } },
      };
      await clients()
        .objects.patch(patch, undefined, undefined, 'e2e-churn', undefined, PatchStrategy.MergePatch)
        .catch(() => undefined);
      await sleep(250);
    }
    return i;
  })();
}

async function generations(ns: string, name: string): Promise<{ generation: number; observed: number }> {
  const cb = (await clients().objects.read({
    apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
    kind: 'ClusterBootstrap',
    metadata: { name, namespace: ns },
  })) as { metadata: { generation: number }; status?: { observedGeneration?: number } };
  return { generation: cb.metadata.generation, observed: cb.status?.observedGeneration ?? 0 };
}

async function firstLeader(ns: string, start: (name: string) => Promise<Replica>): Promise<[Replica, Replica]> {
  const a = await start('op-a');
  await waitFor(async () => (await holder(ns)) === 'op-a', { what: 'op-a to lead' });
  await waitFor(async () => (await a.op.metric('pekko_bootstrap_operator_leader')) === 1, { what: 'op-a running' });
  const b = await start('op-b');
  return [a, b];
}

test('a leader whose Lease calls hang stops writing before another replica starts', () =>
  scenario(async (ns, start) => {
    const [a, b] = await firstLeader(ns, start);
    await applyClusterBootstrap(ns, 'churn', { image: 'pekko-bootstrap-agent:dev', workload: 'agent', replicas: 0 });
    const stop = new AbortController();
    const churned = churn(ns, 'churn', stop.signal);
    try {
      await waitFor(async () => reconcileWrites(a.proxy).length >= 10, { what: 'op-a writing' });
      await waitFor(async () => a.proxy.requests.some((r) => isLeaseCall(r) && r.method === 'PUT' && !r.stalled), {
        what: 'op-a renewing its lease',
      });
      assert.is(reconcileWrites(b.proxy).length, 0, 'a follower writes nothing');

      const stalledAt = Date.now();
      a.proxy.stall(LEASE_PATH);
      const lease = await waitFor(
        async () => {
          const l = await readLease(ns);
          return l?.spec?.holderIdentity === 'op-b' && l;
        },
        { what: 'op-b to take the lease', timeoutMs: 60_000 },
      );
      // Enough of op-b's writes that an old leader still running would have written alongside them.
      await waitFor(async () => reconcileWrites(b.proxy).length >= 10, { what: 'op-b writing' });
      stop.abort();
      await churned;
      const code = await Promise.race([a.op.exited, sleep(1000).then(() => 'still running')]);
      const aExit = code === 'still running' ? Number.NaN : await a.exitedAt;

      const aLeaseCalls = a.proxy.requests.filter(isLeaseCall);
      // The last write that held the lease: a renewal (PUT), or the create (POST) when the stall came first.
      const lastRenewal = Math.max(
        ...aLeaseCalls.filter((r) => !r.stalled && (r.method === 'PUT' || r.method === 'POST')).map((r) => r.at),
      );
      const firstHung = aLeaseCalls.find((r) => r.stalled) as ProxiedRequest;
      const aWrites = reconcileWrites(a.proxy);
      const aLastWrite = Math.max(...aWrites.map((r) => r.at));
      const bAcquired = new Date(lease.spec?.acquireTime as Date).getTime();
      const bFirstWrite = Math.min(...reconcileWrites(b.proxy).map((r) => r.at));
      const t = (ms: number) => `${ms - stalledAt} ms`;
      process.stdout.write(
        `  stall at 0: op-a last renewal ${t(lastRenewal)}, last write ${t(aLastWrite)} ` +
          `(${aWrites.filter((r) => r.at >= stalledAt).length} writes while stalled), exit ${t(aExit)}; ` +
          `op-b acquired ${t(bAcquired)}, first write ${t(bFirstWrite)}; gap ${bFirstWrite - aLastWrite} ms\n`,
      );
      assert.ok(aLastWrite > stalledAt, 'op-a kept writing while its Lease calls hung (else this test proves nothing)');
      assert.ok(aLastWrite < bFirstWrite, 'the old leader wrote nothing after the new one started writing');
      assert.is(code, 1, 'the old leader exited 1');
      assert.ok(aExit < bAcquired, 'the old leader had exited when the new one acquired the lease');
      assert.ok(
        aExit - lastRenewal <= RENEW_DEADLINE_MS + 2_000,
        `op-a stops by the renew deadline (${aExit - lastRenewal} ms)`,
      );
      const abandonedAfter = (firstHung.abandonedAt ?? Number.POSITIVE_INFINITY) - firstHung.at;
      assert.ok(
        abandonedAfter <= 5_000 + 1_000,
        `op-a abandons a hung Lease call after its 5 s (${abandonedAfter} ms)`,
      );
      await waitFor(
        async () => {
          const g = await generations(ns, 'churn');
          return g.observed === g.generation;
        },
        { what: 'op-b to reconcile the last change' },
      );
    } finally {
      stop.abort();
      await churned;
    }
  }));

test('one hung Lease call does not cost the lease: it is abandoned after its timeout and the next round renews', () =>
  scenario(async (ns, start) => {
    const [a, b] = await firstLeader(ns, start);
    const transitions = (await readLease(ns))?.spec?.leaseTransitions;
    a.proxy.stall(LEASE_PATH, 1);
    const hung = await waitFor(() => a.proxy.requests.find((r) => r.stalled), { what: 'a Lease call to hang' });
    await waitFor(() => hung.abandonedAt, { what: 'op-a to abandon the hung call', timeoutMs: 10_000 });
    await sleep(RENEW_DEADLINE_MS + 5_000);
    const lease = await readLease(ns);
    assert.is(lease?.spec?.holderIdentity, 'op-a');
    assert.is(lease?.spec?.leaseTransitions, transitions, 'no hand-over');
    assert.is(await a.op.metric('pekko_bootstrap_operator_leader'), 1);
    assert.is(await b.op.metric('pekko_bootstrap_operator_leader'), 0);
    const abandonedAfter = (hung.abandonedAt ?? 0) - hung.at;
    process.stdout.write(`  hung Lease call abandoned after ${abandonedAfter} ms; op-a still leads\n`);
    assert.ok(abandonedAfter >= 900 && abandonedAfter <= 6_000, `abandoned after ${abandonedAfter} ms`);
  }));

test.run();
