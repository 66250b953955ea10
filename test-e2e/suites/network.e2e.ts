// The local cluster's pod network (issue 17): a network namespace per pod on the cluster's bridge, and the partition
// helper (test-e2e/lib/partition.ts) that cuts groups of pods apart. Pods run local-cluster/testdata/net-peer.mjs,
// which lets the test (on the host) open TCP connections from inside a pod. On a cluster in the loopback fallback
// (no root) every test is skipped, saying why.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { netnsList } from '../../local-cluster/network/ip-cmd.ts';
import { inRange, type NetnsNetwork, netnsName } from '../../local-cluster/network/plan.ts';
import { listPodProcs } from '../../local-cluster/pod-pids.ts';
import {
  clients,
  clusterLayout,
  clusterState,
  freePort,
  heal,
  isReady,
  listPods,
  partition,
  podNetns,
  podNetwork,
  REPO_ROOT,
  registerImages,
  unregisterImages,
  waitFor,
  withNamespace,
  withPartition,
} from '../lib/index.ts';

const net = podNetwork();
const it = net.mode === 'netns' ? test : test.skip;
if (net.mode !== 'netns') console.log(`network suite skipped: the cluster uses loopback pod IPs (${net.reason})`);
const bridged = net as NetnsNetwork;

// biome-ignore lint/suspicious/noTemplateCurlyInString: image-map placeholders
const PEER = { command: ['${NODE}', '${REPO}/local-cluster/testdata/net-peer.mjs'] };
const MAP_NAME = 'network-e2e';
test.before(() => {
  registerImages(MAP_NAME, { 'pbo-net-peer:1': PEER });
});
test.after(async () => {
  await heal();
  unregisterImages(MAP_NAME);
});

const POD_IP_ENV = { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };

function peer(name: string, more: Partial<V1Pod['spec']> = {}, env: { name: string; value: string }[] = []): V1Pod {
  const port = Number(env.find((e) => e.name === 'PORT')?.value ?? 8080);
  return {
    metadata: { name, labels: { app: 'peer' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'peer',
          image: 'pbo-net-peer:1',
          env: [POD_IP_ENV, ...env],
          readinessProbe: { httpGet: { path: '/whoami', port }, periodSeconds: 1 },
        },
      ],
      ...more,
    },
  };
}

/** Creates the pods and returns them Ready, in the order given. */
async function runPods(ns: string, pods: V1Pod[]): Promise<V1Pod[]> {
  for (const body of pods) await clients().core.createNamespacedPod({ namespace: ns, body });
  const names = pods.map((p) => p.metadata?.name);
  return waitFor(
    async () => {
      const all = await listPods(ns);
      const ready = names.map((n) => all.find((p) => p.metadata?.name === n && isReady(p)));
      if (ready.every(Boolean)) return ready as V1Pod[];
      throw new Error(all.map((p) => `${p.metadata?.name} ready=${isReady(p)}`).join(', '));
    },
    { what: `pods ${names.join(', ')} Ready`, timeoutMs: 60000 },
  );
}

const ipOf = (p: V1Pod) => p.status?.podIP ?? '';

async function get<T>(p: V1Pod | string, path: string, port = 8080): Promise<T> {
  const res = await fetch(`http://${typeof p === 'string' ? p : ipOf(p)}:${port}${path}`, {
    signal: AbortSignal.timeout(10000),
  });
  return (await res.json()) as T;
}

interface Dial {
  ok: boolean;
  error?: string;
  ms: number;
}
/** A fresh TCP connection from inside `from` to `to`'s HTTP port. */
const dial = (from: V1Pod, to: string, port = 8080, ms = 1500) =>
  get<Dial>(from, `/dial?host=${to}&port=${port}&ms=${ms}`);

it('a pod gets an address of the range in its own namespace: no route out, its own localhost, the API server on the bridge', () =>
  withNamespace(async (ns) => {
    const [p] = (await runPods(ns, [peer('solo')])) as [V1Pod];
    const ip = ipOf(p);
    assert.ok(inRange(bridged, ip) && ip !== bridged.hostIp, `${ip} in ${bridged.cidr}`);
    assert.equal(
      p.status?.podIPs?.map((x) => x.ip),
      [ip],
    );
    assert.is(p.status?.hostIP, bridged.hostIp);
    const rec = await podNetns(p);
    assert.is(rec.netns, netnsName(bridged.tag, ip));
    assert.ok((await netnsList()).includes(rec.netns), 'the namespace exists');
    // no default route: nothing leaves the machine, and it fails at once
    const out = await dial(p, '203.0.113.7', 80);
    assert.equal([out.ok, out.error], [false, 'ENETUNREACH']);
    // 127.0.0.1 is the pod's own: its server answers there, the host's etcd does not
    assert.ok((await dial(p, '127.0.0.1', 8080)).ok, "the pod's own localhost");
    const etcd = await dial(p, '127.0.0.1', clusterState().ports.etcdClient);
    assert.equal([etcd.ok, etcd.error], [false, 'ECONNREFUSED'], "the host's loopback is not the pod's");
    // the API server on the bridge's address, with a certificate naming it (403: the default account may not list)
    assert.equal(await get(p, '/api'), { status: 403 });
    assert.is(readFileSync(`/proc/sys/net/ipv4/conf/${bridged.bridge}/forwarding`, 'utf8').trim(), '0');
  }));

it('two pods bind the same 0.0.0.0 port; each answers on its own address', () =>
  withNamespace(async (ns) => {
    const pods = await runPods(ns, [peer('one'), peer('two')]);
    for (const p of pods) {
      assert.equal(await get(p, '/whoami'), { name: p.metadata?.name, ip: ipOf(p) });
    }
    const log = readFileSync(join(clusterLayout().podLogs, `${ns}_two_peer.log`), 'utf8');
    assert.match(log, 'on 0.0.0.0:8080');
  }));

it('hostNetwork pods stay in the host namespace; status-only pods get an address and no namespace', () =>
  withNamespace(async (ns) => {
    const port = await freePort();
    const env = [
      { name: 'PORT', value: String(port) },
      { name: 'ECHO_PORT', value: String(await freePort()) },
      { name: 'BIND', value: '$(POD_IP)' },
    ];
    const statusOnly: V1Pod = {
      metadata: { name: 'fake', annotations: { 'local.pekko-operator.dev/status-only': 'true' } },
      spec: { containers: [{ name: 'x', image: 'nowhere/none:1' }] },
    };
    const [host, fake] = (await runPods(ns, [peer('host', { hostNetwork: true }, env), statusOnly])) as [V1Pod, V1Pod];
    assert.is(ipOf(host), bridged.hostIp);
    assert.equal(await get(host, '/whoami', port), { name: 'host', ip: bridged.hostIp });
    const uid = host.metadata?.uid ?? '';
    const proc = listPodProcs(clusterLayout().pods).find((x) => x.file.includes(uid));
    assert.ok(proc, 'the pid file of the hostNetwork container');
    assert.is(readlinkSync(`/proc/${proc?.ref.pid}/ns/net`), readlinkSync('/proc/self/ns/net'), "the host's network");
    assert.ok(inRange(bridged, ipOf(fake)), `status-only ${ipOf(fake)} in ${bridged.cidr}`);
    assert.not.ok((await netnsList()).includes(netnsName(bridged.tag, ipOf(fake))), 'no namespace');
    assert.not.ok(existsSync(join(clusterLayout().pods, fake.metadata?.uid ?? '', 'net.json')));
  }));

it('a partition: TCP between the groups fails, an open connection stops delivering, the host reaches all; heal restores', () =>
  withNamespace(async (ns) => {
    const [a1, a2, b1] = (await runPods(ns, [peer('a1'), peer('a2'), peer('b1')])) as [V1Pod, V1Pod, V1Pod];
    assert.ok((await dial(a1, ipOf(b1))).ok, 'connected before the cut');
    const { id } = await get<{ id: string }>(a1, `/open?host=${ipOf(b1)}&port=9000`);
    await get(a1, `/send?id=${id}&msg=before`);
    const received = async () => (await get<{ data: string }>(a1, `/received?id=${id}`)).data;
    await waitFor(async () => (await received()) === 'before\n', { what: 'the echo of "before"' });

    const cut = await partition([a1, a2], [b1]);
    for (const [from, to] of [
      [a1, b1],
      [a2, b1],
      [b1, a1],
    ] as const) {
      const r = await dial(from, ipOf(to));
      assert.equal([r.ok, r.error], [false, 'ETIMEDOUT'], `${from.metadata?.name} -> ${to.metadata?.name}`);
    }
    assert.ok((await dial(a1, ipOf(a2))).ok, 'the same side still talks');
    for (const p of [a1, a2, b1]) assert.is((await get<{ name: string }>(p, '/whoami')).name, p.metadata?.name);
    await get(a1, `/send?id=${id}&msg=during`);
    await sleep(2000);
    assert.is(await received(), 'before\n', 'nothing comes back during the cut');
    assert.is((await get<{ data: string }>(b1, '/echoed')).data, 'before\n', 'nothing arrives during the cut');
    assert.ok((await listPods(ns)).every(isReady), "the kubelet's probes still reach every pod");

    await cut.heal();
    assert.ok((await dial(a1, ipOf(b1))).ok, 'new connections after heal');
    // TCP retransmits what was sent during the cut: the open connection delivers again
    await waitFor(async () => (await received()) === 'before\nduring\n', {
      what: 'the echo of "during"',
      timeoutMs: 30000,
    });
    await get(a1, `/send?id=${id}&msg=after`);
    await waitFor(async () => (await received()).endsWith('after\n'), { what: 'the echo of "after"' });
  }));

it('apiServer: cuts a pod off from the API server and leaves everything else', () =>
  withNamespace(async (ns) => {
    const [a, b] = (await runPods(ns, [peer('a'), peer('b')])) as [V1Pod, V1Pod];
    await withPartition(
      [a],
      [],
      async () => {
        assert.equal(await get(a, '/api?ms=2000'), { error: 'ETIMEDOUT' });
        assert.equal(await get(b, '/api'), { status: 403 }, 'another pod still reaches it');
        assert.ok((await dial(a, ipOf(b))).ok, 'and the pods each other');
        assert.ok((await dial(b, ipOf(a))).ok);
      },
      { apiServer: 'a' },
    );
    assert.equal(await get(a, '/api'), { status: 403 }, 'healed');
  }));

it('a cut never outlives its test: a throw inside withPartition heals; a dead process is healed by heal()', () =>
  withNamespace(async (ns) => {
    const [a, b] = (await runPods(ns, [peer('a'), peer('b')])) as [V1Pod, V1Pod];
    let thrown: unknown;
    try {
      await withPartition([a], [b], async () => {
        assert.is((await dial(a, ipOf(b))).ok, false);
        throw new Error('the test failed');
      });
    } catch (err) {
      thrown = err;
    }
    assert.is((thrown as Error)?.message, 'the test failed');
    assert.ok((await dial(a, ipOf(b))).ok, 'healed after the throw');

    // a process that cuts and exits without healing
    const lib = join(REPO_ROOT, 'test-e2e', 'lib', 'partition.ts');
    const script = `const m = await import(${JSON.stringify(lib)}); await m.partition([{namespace: ${JSON.stringify(ns)}, name: 'a'}], [{namespace: ${JSON.stringify(ns)}, name: 'b'}]); process.exit(0);`;
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
      child.once('exit', resolve);
    });
    assert.is(code, 0);
    assert.is((await dial(a, ipOf(b))).ok, false, 'the orphaned cut is in place');
    await heal();
    assert.ok((await dial(a, ipOf(b))).ok, 'heal() healed the cut of the dead process');
  }));

test.run();
