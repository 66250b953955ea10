// The real side effects, on loopback addresses: the Kubernetes API client (token re-read, only the service-account
// CA trusted, missing env, PUT, watch streams), three in-process agents forming a cluster over real HTTP and TLS, and
// main.ts as a process (exit 2 naming a bad variable; SIGTERM leaves and exits 0).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseClusterMembers } from '../../core/protocol/pekko.ts';
import { parseConfig } from '../config.ts';
import { type Agent, startAgent } from '../index.ts';
import { kubeApi } from './kube-api.ts';
import { fakeApi, makePki, runningPod } from './testkit.ts';

const pki = makePki();
const tokenPath = join(pki.dir, 'token');
writeFileSync(tokenPath, 'token-1\n');
const api = await fakeApi(pki, tokenPath);
// Loopback addresses unlikely to be used by anyone else on this machine.
const base = 100 + Math.floor(Math.random() * 100);
const ips = [1, 2, 3].map((i) => `127.${base}.${200 + i}.${i}`);

const env = (ip: string, extra: Record<string, string> = {}): Record<string, string> => ({
  PEKKO_ACTOR_SYSTEM_NAME: 'Appka',
  PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME: 'appka',
  POD_IP: ip,
  KUBERNETES_NAMESPACE: 'test',
  KUBERNETES_SERVICE_HOST: '127.0.0.1',
  KUBERNETES_SERVICE_PORT: String(api.port),
  PEKKO_DISCOVERY_KUBERNETES_API_API_CA_PATH: pki.caPath,
  PEKKO_DISCOVERY_KUBERNETES_API_API_TOKEN_PATH: tokenPath,
  PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_REQUIRED_CONTACT_POINT_NR: '3',
  PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_STABLE_MARGIN: '600ms',
  PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_INTERVAL: '200ms',
  PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_PROBE_INTERVAL: '200ms',
  LOG_LEVEL: 'silent',
  ...extra,
});

async function until(what: string, ms: number, cond: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const get = async (ip: string, path: string) => {
  const res = await fetch(`http://${ip}:7626${path}`).catch(() => undefined);
  return res ? { status: res.status, body: await res.text() } : { status: 0, body: '' };
};

test('kube client: bearer token re-read on every call, only the service-account CA trusted, missing env named', async () => {
  api.pods = [runningPod('a', ips[0] as string)];
  const k = parseConfig(env(ips[0] as string)).kubernetes;
  const client = kubeApi(k);
  const path = '/api/v1/namespaces/test/pods?labelSelector=app%3Dappka';
  const get = (c: typeof client) => c.request({ method: 'GET', path, timeoutMs: 2000 });
  assert.is((await get(client)).status, 200);
  writeFileSync(tokenPath, 'token-2\n');
  assert.is((await get(client)).status, 200, 'the rotated token is used');
  assert.equal(api.tokens.slice(-2), ['token-1', 'token-2']);

  const wrongCa = kubeApi({ ...k, caPath: pki.otherCaPath });
  const err = await get(wrongCa).catch((e: Error & { code?: string }) => e);
  assert.instance(err, Error);
  assert.is((err as { code?: string }).code, 'Unreachable');
  assert.match((err as Error).message, /certificate|self.signed|issuer/i);

  const noEnv = kubeApi({ ...k, apiHost: undefined, apiPort: undefined });
  const missing = await get(noEnv).catch((e: Error) => e);
  assert.match((missing as Error).message, /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/);

  const noToken = kubeApi({ ...k, tokenPath: join(pki.dir, 'nope') });
  assert.is(((await get(noToken).catch((e) => e)) as { code?: string }).code, 'Credentials');
});

test('kube client: PUT with a stale resourceVersion is 409; a watch streams events in order, split lines joined', async () => {
  const client = kubeApi(parseConfig(env(ips[0] as string)).kubernetes);
  const base = '/apis/bootstrap.pekko-operator.dev/v1alpha1/namespaces/test/clustermemberships';
  const read = JSON.parse((await client.request({ method: 'GET', path: `${base}/appka`, timeoutMs: 2000 })).body);
  const events: unknown[] = [];
  let ended: Error | undefined | 'no' = 'no';
  const w = client.watch(
    `${base}?watch=1&fieldSelector=metadata.name%3Dappka&resourceVersion=${read.metadata.resourceVersion}`,
    (e) => events.push(e),
    (err) => {
      ended = err;
    },
  );
  const put = (rv: string, version: number) =>
    client.request({
      method: 'PUT',
      path: `${base}/appka/status`,
      body: JSON.stringify({ metadata: { name: 'appka', resourceVersion: rv }, status: { version, members: [] } }),
      timeoutMs: 2000,
    });
  const first = await put(read.metadata.resourceVersion, 1);
  assert.is(first.status, 200);
  assert.is((await put(read.metadata.resourceVersion, 2)).status, 409, 'stale resourceVersion');
  await put(JSON.parse(first.body).metadata.resourceVersion, 3);
  await until('two events', 5000, () => events.length === 2);
  assert.equal(
    events.map((e) => [
      (e as { type: string }).type,
      (e as { object: { status: { version: number } } }).object.status.version,
    ]),
    [
      ['MODIFIED', 1],
      ['MODIFIED', 3],
    ],
  );
  w.close();
  assert.is(ended, 'no', 'close() does not call onEnd');
  api.forbidden = true;
  try {
    const refused = await new Promise<Error | undefined>((done) => client.watch(`${base}?watch=1`, () => {}, done));
    assert.match(String(refused?.message), /^watch answered 403: .*forbidden/, 'a refused watch ends with the reason');
  } finally {
    api.forbidden = false;
  }
});

/** GET /cluster/domain-events held open: the raw text as it arrives, the content type, whether the agent ended it. */
function openEvents(ip: string, query = '') {
  const s = { text: '', type: '', ended: false, close: () => req.destroy() };
  const req = request(`http://${ip}:7626/cluster/domain-events${query}`, (res) => {
    s.type = String(res.headers['content-type']);
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      s.text += c;
    });
    res.on('end', () => {
      s.ended = true;
    });
  });
  req.on('error', () => {});
  req.end();
  /** `Type address` of each event so far (keep-alives left out). */
  const events = () =>
    [...s.text.matchAll(/data:(\{.*\})\nevent:(\w+)\n\n/g)].map((m) => {
      const d = JSON.parse(m[1] as string);
      return `${m[2]} ${d.member?.uniqueAddress.address ?? d.address ?? '-'}`;
    });
  return Object.assign(s, { events });
}

test('three in-process agents form one cluster over real HTTP and TLS, then leave on stop()', async () => {
  api.pods = ips.map((ip, i) => runningPod(`p${i}`, ip));
  const agents: Agent[] = [];
  const ups: string[] = [];
  for (const ip of ips) {
    const a = await startAgent({ env: env(ip) });
    a.on('self-up', (m) => ups.push(m.node));
    agents.push(a);
  }
  try {
    await until('all ready', 15_000, async () => {
      const r = await Promise.all(ips.map((ip) => get(ip, '/ready')));
      return r.every((x) => x.status === 200);
    });
    await until('members converge', 5000, async () => {
      const bodies = await Promise.all(ips.map((ip) => get(ip, '/cluster/members')));
      const sets = bodies.map((b) => {
        const p = parseClusterMembers(b.body);
        return p.ok ? p.value.members.map((m) => m.node).join(',') : '';
      });
      return new Set(sets).size === 1 && (sets[0] ?? '').split(',').length === 3;
    });
    assert.is(ups.length, 3, 'each agent emitted self-up once');
    assert.is((await get(ips[0] as string, '/alive')).status, 200);
    const record = api.sim.objects.clustermemberships.get('appka') as { status?: { members?: unknown[] } };
    assert.is(record.status?.members?.length, 3, 'the three are in the ClusterMembership');
  } catch (err) {
    for (const a of agents.reverse()) await a.stop();
    throw err;
  }

  // GET /cluster/domain-events on the first agent over a real connection: the three members, the leader, then the
  // changes as the others leave, then the end of the stream when it stops.
  const nodes = ips.map((ip) => `pekko://Appka@${ip}:17355`);
  const stream = openEvents(ips[0] as string);
  const removals = openEvents(ips[0] as string, '?type=MemberRemoved');
  try {
    await until('the current members as events', 5000, () => stream.events().length >= 4);
    assert.is(stream.type, 'text/event-stream');
    assert.equal(stream.events().slice(0, 3).sort(), nodes.map((n) => `MemberUp ${n}`).sort());
    assert.match(stream.events()[3] as string, /^LeaderChanged pekko:\/\/Appka@/);
    await (agents[2] as Agent).stop();
    await until('the leaver removed', 5000, () => stream.events().includes(`MemberRemoved ${nodes[2]}`));
    assert.equal(removals.events(), [`MemberRemoved ${nodes[2]}`], 'the type filter: only removals');
    await (agents[1] as Agent).stop();
    await (agents[0] as Agent).stop();
    await until('the stream ended by stop()', 5000, () => stream.ended && removals.ended);
    const tail = stream.events().slice(4);
    assert.ok(tail.includes(`MemberRemoved ${nodes[1]}`), tail.join(', '));
    // As a Pekko node that leaves: itself Leaving, then Removed (its own write), then the stream ends.
    assert.equal(tail.slice(-3), [`MemberLeft ${nodes[0]}`, `MemberRemoved ${nodes[0]}`, 'LeaderChanged -']);
  } finally {
    stream.close();
    removals.close();
    for (const a of agents.reverse()) await a.stop();
  }
  assert.is((await get(ips[0] as string, '/alive')).status, 0, 'servers closed after stop()');
  const after = api.sim.objects.clustermemberships.get('appka') as { status?: { members?: unknown[] } };
  assert.equal(after.status?.members, [], 'each left: no member is left in the record');
});

function runMain(envVars: Record<string, string>) {
  const child = spawn(process.execPath, [new URL('../main.ts', import.meta.url).pathname], {
    env: { PATH: process.env.PATH ?? '', ...envVars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, exited, output: () => out };
}

test('main.ts: a bad value exits 2 with a message naming the variable', async () => {
  const run = runMain({ ...env(ips[0] as string), PEKKO_MANAGEMENT_HTTP_PORT: 'seventy' });
  assert.is(await run.exited, 2);
  const line = JSON.parse(run.output().trim().split('\n').pop() as string);
  assert.is(line.variable, 'PEKKO_MANAGEMENT_HTTP_PORT');
  assert.match(line.error, /PEKKO_MANAGEMENT_HTTP_PORT: must be an integer/);
  assert.equal([line.level, line.name, line.msg], ['fatal', 'bootstrap-agent', 'invalid configuration']);
});

test('main.ts: a 1-node cluster forms; SIGTERM leaves and exits 0; memory of one agent process', async () => {
  api.pods = [runningPod('solo', ips[2] as string)];
  const run = runMain({
    ...env(ips[2] as string, {
      PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_REQUIRED_CONTACT_POINT_NR: '1',
    }),
    LOG_LEVEL: 'info',
  });
  try {
    await until('ready', 15_000, async () => (await get(ips[2] as string, '/ready')).status === 200);
    const status = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${run.child.pid}/status`, 'utf8'));
    const rss = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    console.log(`agent process RSS after forming: ${Math.round(Number(rss) / 1024)} MiB`);
  } finally {
    run.child.kill('SIGTERM');
  }
  assert.is(await run.exited, 0);
  const logs = run.output();
  assert.match(logs, /"msg":"formed a new cluster"/);
  assert.match(logs, /"msg":"leaving the cluster"/);
  assert.match(logs, /"msg":"agent stopped"/);
  const started = JSON.parse(logs.split('\n').find((l) => l.includes('"msg":"agent started"')) as string);
  assert.equal([started.level, started.name, started.podIP], ['info', 'bootstrap-agent', ips[2]]);
});

test.after(async () => {
  await api.close();
});

test.run();
