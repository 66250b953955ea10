// The local cluster itself (issue 3): Deployments become Ready pods with their own IPs, probes gate readiness,
// rolling updates respect surge/unavailable, RBAC applies to pod tokens, deletion sends SIGTERM, env reaches the
// process, and up/down leave nothing behind. Runs on the shared cluster (make cluster-up), a namespace per test;
// the up/down test uses a second cluster of its own in a temporary folder.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Container, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { strayProcesses } from '../../local-cluster/down.ts';
import { netnsList } from '../../local-cluster/network/ip-cmd.ts';
import { clusterTag, inRange } from '../../local-cluster/network/plan.ts';
import { listPodProcs } from '../../local-cluster/pod-pids.ts';
import { isAlive, type ProcRef } from '../../local-cluster/procs.ts';
import { readState } from '../../local-cluster/state.ts';
import {
  clients,
  clusterState,
  describePods,
  expectQuiet,
  isReady,
  kubectl,
  listPods,
  podLogPath,
  podNetwork,
  REPO_ROOT,
  registerImages,
  unregisterImages,
  waitFor,
  withNamespace,
} from '../lib/index.ts';

const run = promisify(execFile);
// ${NODE} and ${REPO} are image-map placeholders, replaced by the kubelet (not template strings)
// biome-ignore lint/suspicious/noTemplateCurlyInString: image-map placeholders
const SERVER = { command: ['${NODE}', '${REPO}/local-cluster/testdata/server.mjs'] };
const IMAGES = { 'pbo-test-server:1': SERVER, 'pbo-test-server:2': SERVER };
const MAP_NAME = 'cluster-e2e';

test.before(() => {
  registerImages(MAP_NAME, IMAGES);
});
test.after(() => {
  unregisterImages(MAP_NAME);
});

/** In the cluster's pod range: the bridge's range, or 127.N.x.y in the loopback fallback. */
function inPodRange(ip: string): boolean {
  const net = podNetwork();
  return net.mode === 'netns' ? inRange(net, ip) && ip !== net.hostIp : ip.startsWith(`${net.prefix}.`);
}

const POD_IP_ENV = { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };

function server(extra: Partial<V1Container> = {}): V1Container {
  return {
    name: 'app',
    image: 'pbo-test-server:1',
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
    ...extra,
    env: [POD_IP_ENV, ...(extra.env ?? [])],
  };
}

function deployment(name: string, replicas: number, c: V1Container, more: Partial<V1Deployment['spec']> = {}) {
  const body: V1Deployment = {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 5, containers: [c] } },
      ...more,
    },
  };
  return body;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return (await res.json()) as T;
}

async function waitReady(ns: string, selector: string, n: number, timeoutMs = 60000): Promise<V1Pod[]> {
  return waitFor(
    async () => {
      const all = await listPods(ns, selector);
      const ready = all.filter(isReady);
      if (ready.length === n && all.length === n) return ready;
      throw new Error(`${ready.length}/${n} Ready: ${describePods(all)}`);
    },
    { what: `${n} Ready pods (${selector}) in ${ns}`, timeoutMs },
  );
}

test('a 3-replica Deployment becomes 3 Ready pods with distinct IPs, each served by its own process', () =>
  withNamespace(async (ns) => {
    await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 3, server()) });
    const pods = await waitReady(ns, 'app=web', 3);
    const ips = pods.map((p) => p.status?.podIP ?? '');
    assert.is(new Set(ips).size, 3, `distinct IPs: ${ips}`);
    for (const p of pods) {
      const ip = p.status?.podIP ?? '';
      assert.ok(inPodRange(ip), `${ip}: an address of the pod range`);
      assert.equal(
        p.status?.podIPs?.map((x) => x.ip),
        [ip],
      );
      const env = await getJson<Record<string, string>>(`http://${ip}:8080/env`);
      assert.is(env.POD_IP, ip, 'the process bound its own pod IP');
      assert.is(env.HOSTNAME, p.metadata?.name);
    }
  }));

test('a failing readiness probe keeps its pod un-Ready; so does an unresolvable named port', () =>
  withNamespace(async (ns) => {
    const { core } = clients();
    const failing = server({ env: [{ name: 'READY', value: 'false' }] });
    const badPort = server({ readinessProbe: { tcpSocket: { port: 'no-such-port' }, periodSeconds: 1 } });
    for (const [name, c] of [
      ['failing', failing],
      ['badport', badPort],
    ] as const) {
      await core.createNamespacedPod({ namespace: ns, body: { metadata: { name }, spec: { containers: [c] } } });
    }
    // the processes answer (they run), and the kubelet has reported failed probes
    await waitFor(
      async () => {
        const events = await core.listNamespacedEvent({ namespace: ns });
        const unhealthy = new Set(
          events.items.filter((e) => e.reason === 'Unhealthy').map((e) => e.involvedObject.name),
        );
        return unhealthy.has('failing') && unhealthy.has('badport');
      },
      { what: 'Unhealthy events for both pods', timeoutMs: 30000 },
    );
    for (const name of ['failing', 'badport']) {
      await waitFor(
        async () => {
          const p = await core.readNamespacedPod({ name, namespace: ns });
          return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running;
        },
        { what: `${name} Running with its container running`, timeoutMs: 20000 },
      );
    }
    // Three probe periods, watched: readiness must stay false throughout, and no container restarts.
    const list = await core.listNamespacedPod({ namespace: ns });
    await expectQuiet<V1Pod>({
      path: `/api/v1/namespaces/${ns}/pods`,
      resourceVersion: list.metadata?.resourceVersion ?? '',
      what: 'the pods with failing readiness probes stay un-Ready and unrestarted',
      unwanted: (_type, p) =>
        isReady(p)
          ? `${p.metadata?.name} became Ready`
          : (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0
            ? `${p.metadata?.name} restarted`
            : undefined,
      forMs: 3000,
    });
    for (const name of ['failing', 'badport']) {
      const p = await core.readNamespacedPod({ name, namespace: ns });
      assert.is(p.status?.containerStatuses?.[0]?.restartCount, 0, `${name} not restarted`);
      assert.not.ok(isReady(p), `${name} must not be Ready`);
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      assert.is(ready?.reason, 'ContainersNotReady');
    }
    const events = await core.listNamespacedEvent({ namespace: ns });
    const msg = events.items.find((e) => e.involvedObject.name === 'badport' && e.reason === 'Unhealthy')?.message;
    assert.match(msg ?? '', /no-such-port/);
  }));

test('a rolling update with maxSurge 1 / maxUnavailable 0 replaces pods one at a time, gated on readiness', () =>
  withNamespace(async (ns) => {
    const { apps } = clients();
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const c = server({ env: [{ name: 'READY_DELAY_MS', value: '1500' }] });
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('roll', 3, c, { strategy }) });
    const before = await waitReady(ns, 'app=roll', 3);
    const oldNames = new Set(before.map((p) => p.metadata?.name));
    const patched = deployment('roll', 3, { ...c, image: 'pbo-test-server:2' }, { strategy });
    await apps.replaceNamespacedDeployment({ name: 'roll', namespace: ns, body: patched });
    let sawGatedSurge = false;
    const violations: string[] = [];
    await waitFor(
      async () => {
        const pods = await listPods(ns, 'app=roll');
        const ready = pods.filter(isReady);
        const image = (p: V1Pod) => p.spec?.containers[0]?.image;
        // maxUnavailable 0: never fewer than 3 Ready; maxSurge 1: never more than 4 pods
        if (ready.length < 3) violations.push(`only ${ready.length} Ready: ${describePods(pods)}`);
        if (pods.length > 4) violations.push(`${pods.length} pods: ${describePods(pods)}`);
        const oldAlive = pods.filter((p) => oldNames.has(p.metadata?.name)).length;
        if (oldAlive === 3 && pods.some((p) => image(p) === 'pbo-test-server:2' && !isReady(p))) sawGatedSurge = true;
        const done = pods.length === 3 && ready.length === 3 && pods.every((p) => image(p) === 'pbo-test-server:2');
        if (done) return true;
        throw new Error(describePods(pods));
      },
      { what: 'the rollout to pbo-test-server:2', timeoutMs: 90000, intervalMs: 100 },
    );
    assert.equal(violations, [], 'surge/unavailable limits held');
    assert.ok(sawGatedSurge, 'a new, not yet Ready pod waited while all 3 old pods were still there');
  }));

test("a pod's token is refused listing pods until a Role and RoleBinding allow it", () =>
  withNamespace(async (ns) => {
    const { core, rbac } = clients();
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'reader' } } });
    const body: V1Pod = {
      metadata: { name: 'client' },
      spec: { serviceAccountName: 'reader', containers: [server()] },
    };
    await core.createNamespacedPod({ namespace: ns, body });
    const [pod] = await waitReady(ns, '', 1);
    const ip = pod?.status?.podIP;
    const sa = await getJson<{ token: boolean; namespace: string; ca: boolean }>(`http://${ip}:8080/sa`);
    assert.equal(
      sa,
      { token: true, namespace: ns, ca: true },
      'files at /var/run/secrets/kubernetes.io/serviceaccount',
    );
    const denied = await getJson<{ status: number; body: string }>(`http://${ip}:8080/api/pods`);
    assert.is(denied.status, 403);
    assert.match(denied.body, `system:serviceaccount:${ns}:reader`);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
      },
    });
    await waitFor(async () => (await getJson<{ status: number }>(`http://${ip}:8080/api/pods`)).status === 200, {
      what: 'the token to be allowed to list pods',
      timeoutMs: 20000,
    });
  }));

const pidOf = (log: string) => Number(/listening on \S+ pid=(\d+)/.exec(log)?.[1]);

/** True while the pod object exists, terminating or not. */
async function exists(ns: string, name: string): Promise<boolean> {
  return clients()
    .core.readNamespacedPod({ name, namespace: ns })
    .then(
      () => true,
      (err: { code?: number }) => {
        if (err.code === 404) return false;
        throw err;
      },
    );
}

test('deleting a pod sends SIGTERM (SIGKILL after the grace period) and the Deployment replaces it', () =>
  withNamespace(async (ns) => {
    const { apps, core } = clients();
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('del', 1, server()) });
    const [first] = await waitReady(ns, 'app=del', 1);
    const name = first?.metadata?.name ?? '';
    const logFile = podLogPath(ns, name, 'app');
    const pid = pidOf(readFileSync(logFile, 'utf8'));
    assert.ok(pid > 0, 'the process logged its pid');
    await core.deleteNamespacedPod({ name, namespace: ns });
    await waitFor(() => readFileSync(logFile, 'utf8').includes(`SIGTERM received pid=${pid}`), {
      what: 'the process to log SIGTERM',
      timeoutMs: 20000,
    });
    await waitFor(async () => !(await exists(ns, name)), { what: `${name} gone` });
    assert.not.ok(existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server.mjs'));
    const [second] = await waitReady(ns, 'app=del', 1);
    assert.is.not(second?.metadata?.name, name, 'a replacement pod');

    // a process that ignores SIGTERM is killed after terminationGracePeriodSeconds
    const stubborn = server({ env: [{ name: 'TERM_DELAY_MS', value: '600000' }] });
    const body: V1Pod = {
      metadata: { name: 'stubborn' },
      spec: { terminationGracePeriodSeconds: 2, containers: [stubborn] },
    };
    await core.createNamespacedPod({ namespace: ns, body });
    await waitFor(async () => isReady(await core.readNamespacedPod({ name: 'stubborn', namespace: ns })), {
      what: 'stubborn Ready',
    });
    const spid = pidOf(readFileSync(podLogPath(ns, 'stubborn', 'app'), 'utf8'));
    const t0 = Date.now();
    await core.deleteNamespacedPod({ name: 'stubborn', namespace: ns });
    await waitFor(async () => !(await exists(ns, 'stubborn')), {
      what: 'stubborn gone',
      timeoutMs: 20000,
    });
    const took = Date.now() - t0;
    assert.ok(took >= 1800 && took < 10000, `deletion took ${took}ms, expected about the 2s grace period`);
    assert.not.ok(existsSync(`/proc/${spid}/cmdline`), 'SIGKILLed');
  }));

test('env fieldRefs and $(VAR) expansion reach the process (env, command and args)', () =>
  withNamespace(async (ns) => {
    const { core } = clients();
    const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
    const c = server({
      args: ['--name=$(POD_NAME)', '--addr=$(POD_IP):$(PORT)', '--literal=$$(POD_NAME)'],
      env: [
        { name: 'PORT', value: '8080' },
        field('POD_NAME', 'metadata.name'),
        field('POD_NAMESPACE', 'metadata.namespace'),
        field('NODE', 'spec.nodeName'),
        field('SA', 'spec.serviceAccountName'),
        field('APP', "metadata.labels['app.kubernetes.io/name']"),
        field('NOTE', "metadata.annotations['example.com/note']"),
        { name: 'SELF', value: '$(POD_NAME).$(POD_NAMESPACE) at $(POD_IP):$(PORT)' },
        { name: 'UNDEFINED', value: '$(NOPE)-x' },
        { name: 'API', value: '$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
      ],
    });
    const body: V1Pod = {
      metadata: {
        name: 'envpod',
        labels: { 'app.kubernetes.io/name': 'envy' },
        annotations: { 'example.com/note': 'hi there' },
      },
      spec: { containers: [c] },
    };
    await core.createNamespacedPod({ namespace: ns, body });
    const [pod] = await waitReady(ns, '', 1);
    const ip = pod?.status?.podIP ?? '';
    const env = await getJson<Record<string, string>>(`http://${ip}:8080/env`);
    const api = clusterState().ports.apiserver;
    const net = podNetwork();
    const apiHost = net.mode === 'netns' ? net.hostIp : '127.0.0.1';
    assert.equal(
      {
        POD_IP: env.POD_IP,
        POD_NAME: env.POD_NAME,
        POD_NAMESPACE: env.POD_NAMESPACE,
        NODE: env.NODE,
        SA: env.SA,
        APP: env.APP,
        NOTE: env.NOTE,
        SELF: env.SELF,
        UNDEFINED: env.UNDEFINED,
        API: env.API,
      },
      {
        POD_IP: ip,
        POD_NAME: 'envpod',
        POD_NAMESPACE: ns,
        NODE: clusterState().nodeName,
        SA: 'default',
        APP: 'envy',
        NOTE: 'hi there',
        SELF: `envpod.${ns} at ${ip}:8080`,
        UNDEFINED: '$(NOPE)-x',
        API: `${apiHost}:${api}`,
      },
    );
    const argv = await getJson<string[]>(`http://${ip}:8080/argv`);
    assert.equal(argv.slice(2), ['--name=envpod', `--addr=${ip}:8080`, '--literal=$(POD_NAME)']);
  }));

test('a container whose liveness probe fails is restarted; `kubectl logs` reads its log', () =>
  withNamespace(async (ns) => {
    const { core } = clients();
    const c = server({
      // as with a real kubelet, a probe may run before the server listens: one failure is not enough
      livenessProbe: {
        httpGet: { path: '/healthz', port: 'http' },
        initialDelaySeconds: 1,
        periodSeconds: 1,
        failureThreshold: 2,
      },
    });
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'live' }, spec: { containers: [c] } } });
    const [pod] = await waitReady(ns, '', 1);
    const ip = pod?.status?.podIP;
    const firstPid = pidOf(readFileSync(podLogPath(ns, 'live', 'app'), 'utf8'));
    await getJson(`http://${ip}:8080/break-liveness`);
    const restarted = await waitFor(
      async () => {
        const p = await core.readNamespacedPod({ name: 'live', namespace: ns });
        const cs = p.status?.containerStatuses?.[0];
        return cs && cs.restartCount === 1 && isReady(p) ? cs : undefined;
      },
      { what: 'the container restarted once and Ready again', timeoutMs: 30000 },
    );
    assert.ok(restarted.lastState?.terminated, 'lastState records the killed run');
    const logs = await kubectl(['logs', 'live'], { namespace: ns });
    assert.match(logs.stdout, `SIGTERM received pid=${firstPid}`);
    const pids = [...logs.stdout.matchAll(/listening on \S+ pid=(\d+)/g)].map((m) => m[1]);
    assert.is(new Set(pids).size, 2, 'two runs in the log');
  }));

test('an image missing from the image map gives ErrImagePull naming the map; status-only pods need no image', () =>
  withNamespace(async (ns) => {
    const { core } = clients();
    const missing: V1Pod = {
      metadata: { name: 'missing' },
      spec: { containers: [{ name: 'x', image: 'nowhere/none:1' }] },
    };
    const fake: V1Pod = {
      metadata: { name: 'fake', annotations: { 'local.pekko-operator.dev/status-only': 'true' } },
      spec: { containers: [{ name: 'x', image: 'nowhere/none:1' }] },
    };
    await core.createNamespacedPod({ namespace: ns, body: missing });
    await core.createNamespacedPod({ namespace: ns, body: fake });
    const waiting = await waitFor(
      async () => {
        const p = await core.readNamespacedPod({ name: 'missing', namespace: ns });
        const w = p.status?.containerStatuses?.[0]?.state?.waiting;
        if (w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff') return w;
        throw new Error(`waiting: ${JSON.stringify(w)}`);
      },
      { what: 'ErrImagePull for the unknown image', timeoutMs: 20000 },
    );
    assert.match(waiting.message ?? '', 'not in the local image map');
    assert.match(waiting.message ?? '', 'images.d');
    const p = await waitFor(
      async () => {
        const f = await core.readNamespacedPod({ name: 'fake', namespace: ns });
        return isReady(f) ? f : undefined;
      },
      { what: 'the status-only pod Ready', timeoutMs: 20000 },
    );
    assert.is(p.status?.phase, 'Running');
    assert.ok(inPodRange(p.status?.podIP ?? ''), `${p.status?.podIP}: an address of the pod range`);
    assert.not.ok(existsSync(podLogPath(ns, 'fake', 'x')), 'no process, no log');
  }));

test('up, down, up, down on a second cluster leaves no process and no network namespace behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pbo-cluster-'));
  const cli = join(REPO_ROOT, 'local-cluster', 'cli.ts');
  const env = { ...process.env, CLUSTER_DIR: '', LOCAL_IMAGE_MAP: '' };
  const cliRun = (...args: string[]) =>
    // 'auto': a free range, so that this test runs beside any other cluster on the machine
    run(process.execPath, [cli, ...args, '--dir', dir, '--pod-ip-prefix', '127.77', '--pod-cidr', 'auto'], {
      env,
      timeout: 180000,
    });
  const tag = clusterTag(dir);
  const netLeft = async () => [
    ...(await netnsList()).filter((n) => n.startsWith(tag)),
    ...(await run('ip', ['-br', 'link'])).stdout.split('\n').filter((l) => l.startsWith(tag)),
  ];
  try {
    for (let round = 1; round <= 2; round++) {
      await cliRun('up');
      const st = readState(join(dir, 'state.json'));
      assert.ok(st, 'state.json written');
      const procs: ProcRef[] = [...(st?.processes ?? [])];
      assert.equal(
        procs.map((p) => p.name),
        ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet'],
      );
      assert.ok(procs.every(isAlive), 'all running');
      if (st?.network?.mode === 'netns') assert.is(st.network.tag, tag);
      const again = await cliRun('up');
      assert.match(again.stdout, 'already up', 'up is idempotent');
      // a pod, so that container processes are part of what must go
      mkdirSync(join(dir, 'images.d'), { recursive: true });
      writeFileSync(join(dir, 'images.d', 'server.json'), JSON.stringify({ 'pbo-test-server:1': SERVER }));
      const manifest = join(dir, 'pod.json');
      const pod: V1Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'one', namespace: 'default' },
        spec: { containers: [server()] },
      };
      writeFileSync(manifest, JSON.stringify(pod));
      await run(join(st?.assets ?? '', 'kubectl'), ['--kubeconfig', join(dir, 'kubeconfig'), 'apply', '-f', manifest]);
      const podProcs = await waitFor(
        () => {
          const found = listPodProcs(join(dir, 'pods')).map((p) => p.ref);
          return found.length > 0 && found.every(isAlive) ? found : undefined;
        },
        { what: 'the pod process on the second cluster', timeoutMs: 30000 },
      );
      if (st?.network?.mode === 'netns') {
        // the bridge, the pod's veth and its namespace
        assert.ok((await netLeft()).length >= 3, `round ${round}: the pod network exists: ${await netLeft()}`);
      }
      await cliRun('down');
      const left = [...procs, ...podProcs].filter(isAlive);
      assert.equal(left, [], `round ${round}: processes left after down`);
      assert.equal(strayProcesses(dir), [], `round ${round}: no process names ${dir}`);
      assert.equal(await netLeft(), [], `round ${round}: no namespace or interface named ${tag}*`);
      assert.not.ok(existsSync(join(dir, 'state.json')), 'state removed');
    }
  } finally {
    await cliRun('down').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
