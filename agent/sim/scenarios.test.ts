// Deterministic scenarios on the simulation, bootstrap side and everyday membership: late joiners, too few contact
// points, API failures during discovery, Pekko's address order, the endpoints, API load, rolling replacements,
// restarts, a partition between pods. membership.test.ts has the failure scenarios of docs/membership.md. Each runs
// on a fixed seed in simulated time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseClusterMembers, parseSeedNodes } from '../../core/protocol/pekko.ts';
import { ENV } from '../../core/settings/catalog.ts';
import { Sim } from './harness.ts';

const REQUIRED = ENV.requiredContactPointNr;
const NEW_CLUSTER = ENV.newClusterEnabled;

function formed(seed: number, n: number, env: Record<string, string> = {}) {
  const sim = new Sim({ seed, env: { [REQUIRED]: String(n), ...env } });
  const names = Array.from({ length: n }, (_, i) => `pod-${i}`);
  for (const name of names) sim.addPod(name, Math.floor(sim.random() * 2000));
  return { sim, names };
}

/** Runs until done(), recording every moment at which live members report more than one cluster. */
async function runWatching(sim: Sim, ms: number, done: () => boolean, splits: string[]): Promise<boolean> {
  return sim.run(ms, () => {
    if (sim.clusterIds().size > 1) splits.push(`t=${sim.t}: ${[...sim.clusterIds()].join(' | ')}`);
    return done();
  });
}

const logsOf = (sim: Sim, msg: string) => sim.logs().filter((l) => l.includes(`"msg":"${msg}"`));

test('a late node joins the formed cluster (no second cluster is formed)', async () => {
  const { sim, names } = formed(11, 3);
  assert.ok(await sim.run(60_000, () => sim.converged(names)), 'three formed');
  await sim.run(20_000);
  sim.addPod('late', 0, 500);
  assert.ok(await sim.run(30_000, () => sim.converged([...names, 'late'])), 'the late node joined');
  assert.is(sim.foundings(), 1);
  assert.ok(logsOf(sim, 'joined cluster').some((l) => l.includes('"pod":"late"')));
});

test('below the required contact points no cluster forms', async () => {
  const sim = new Sim({ seed: 12, env: { [REQUIRED]: '3' } });
  sim.addPod('a');
  sim.addPod('b', 1000);
  await sim.run(120_000);
  assert.is(sim.clusterIds().size, 0);
  assert.is(sim.foundings(), 0);
  const keep = logsOf(sim, 'keep probing');
  assert.ok(
    keep.some((l) => l.includes('"reason":"NotEnoughContactPoints"') && l.includes('less than the required 3')),
  );
  // The third pod arrives: now it forms.
  sim.addPod('c');
  assert.ok(await sim.run(60_000, () => sim.converged(['a', 'b', 'c'])));
  assert.is(sim.foundings(), 1);
});

test('API 403: no formation, a clear log naming the Role and RoleBinding, backoff on retries', async () => {
  const { sim } = formed(13, 3);
  sim.api.mode = 'forbidden';
  await sim.run(120_000);
  assert.is(sim.clusterIds().size, 0);
  assert.is(sim.foundings(), 0);
  const failed = logsOf(sim, 'contact point discovery failed');
  assert.ok(failed.length > 0);
  const line = JSON.parse(failed[0] as string);
  assert.is(line.code, 'Forbidden');
  assert.is(line.level, 'warn');
  assert.match(line.error, /Forbidden when communicating with the Kubernetes API\. Check RBAC settings/);
  assert.match(line.error, /Role pod-reader .* RoleBinding read-pods in namespace sim/);
  // Exponential backoff: about 120 s / 15 s per pod, not one call per second.
  for (const [ip, calls] of sim.api.calls) assert.ok(calls <= 14, `${ip} made ${calls} pod-list calls in 120 s`);
  // RBAC fixed: the cluster forms.
  sim.api.mode = 'ok';
  assert.ok(await sim.run(60_000, () => sim.converged(['pod-0', 'pod-1', 'pod-2'])));
});

test('API timeouts and 500s: no formation, logged with their codes', async () => {
  for (const [mode, code] of [
    ['timeout', 'Timeout'],
    ['error500', 'HttpStatus'],
  ] as const) {
    const { sim } = formed(14, 2);
    sim.api.mode = mode;
    await sim.run(60_000);
    assert.is(sim.clusterIds().size, 0, mode);
    const failed = logsOf(sim, 'contact point discovery failed').map((l) => JSON.parse(l));
    assert.ok(failed.length > 0 && failed.every((l) => l.code === code), mode);
  }
});

test("Pekko's address order picks the founder: octets above 127 sort first (signed bytes)", async () => {
  const sim = new Sim({ seed: 15, env: { [REQUIRED]: '4' } });
  const ips = { a: '10.0.0.7', b: '10.0.0.10', c: '10.0.0.129', d: '10.0.0.200' };
  for (const [name, ip] of Object.entries(ips)) sim.addPod(name, Math.floor(sim.random() * 1000), 0, ip);
  assert.ok(await sim.run(60_000, () => sim.converged(Object.keys(ips))));
  const founder = JSON.parse(logsOf(sim, 'formed a new cluster')[0] as string);
  assert.is(founder.pod, 'c', '10.0.0.129 is the lowest: 129 is -127 as a signed byte');
});

test('new-cluster-enabled off: the lowest node never forms a cluster', async () => {
  const { sim } = formed(16, 2, { [NEW_CLUSTER]: 'off' });
  await sim.run(60_000);
  assert.is(sim.foundings(), 0);
  assert.ok(logsOf(sim, 'keep probing').some((l) => l.includes('NewClusterDisabled')));
});

test('every member serves the same members on /bootstrap/seed-nodes and /cluster/members', async () => {
  const { sim, names } = formed(17, 7);
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  await sim.run(3000);
  const get = (ip: string, path: string) =>
    sim.net.client('10.255.255.1').request({ method: 'GET', host: ip, port: 7626, path, timeoutMs: 1000 });
  const answers: Array<[string, string, string]> = [];
  for (const n of sim.live()) {
    const seeds = get(n.ip, '/bootstrap/seed-nodes');
    const members = get(n.ip, '/cluster/members');
    const ready = get(n.ip, '/ready');
    await sim.run(100);
    answers.push([(await seeds).body, (await members).body, String((await ready).status)]);
  }
  const memberSets = new Set<string>();
  const seedSets = new Set<string>();
  for (const [seeds, members, ready] of answers) {
    assert.is(ready, '200');
    const s = parseSeedNodes(seeds);
    const m = parseClusterMembers(members);
    assert.ok(s.ok && m.ok);
    if (!s.ok || !m.ok) continue;
    assert.is(s.value.seedNodes.length, 5, 'at most 5 seed nodes');
    assert.match(seeds, /"nodeUid":-?\d+[,}]/);
    assert.match(members, /"nodeUid":"-?\d+"/);
    memberSets.add(JSON.stringify(m.value.members));
    seedSets.add(JSON.stringify(s.value.seedNodes));
    assert.is(m.value.members.length, 7);
    assert.ok(m.value.leader && m.value.oldest);
  }
  assert.is(memberSets.size, 1);
  assert.is(seedSets.size, 1);
});

test('API load: about one pod list per pod per second while forming; once formed no pod list, no write, one read per member per 10 s', async () => {
  const { sim, names } = formed(18, 5);
  const t0 = sim.t;
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  const formingSecs = (sim.t - t0) / 1000;
  const forming = [...sim.api.calls.values()].reduce((a, b) => a + b, 0);
  await sim.run(20_000); // pods turn Ready, the pod caches settle
  sim.api.calls.clear();
  const before = { ...sim.api.counts };
  await sim.run(60_000);
  const after = sim.api.counts;
  const lists = [...sim.api.calls.values()].reduce((a, b) => a + b, 0);
  const perPodFormingRate = forming / 5 / formingSecs;
  const readsPerMemberMinute = (after.get - before.get) / 5;
  console.log(
    `pod lists per pod per second while forming: ${perPodFormingRate.toFixed(2)}; per member per minute once formed: ${readsPerMemberMinute} reads, ${(after.put - before.put) / 5} writes, ${lists / 5} pod lists`,
  );
  assert.ok(perPodFormingRate <= 1.05);
  assert.is(lists, 0, 'pods are watched, not listed');
  assert.is(after.put - before.put, 0, 'nobody writes in steady state');
  assert.ok(
    readsPerMemberMinute >= 5 && readsPerMemberMinute <= 6.5,
    `${readsPerMemberMinute} reads per member per minute`,
  );
});

for (const graceful of [true, false]) {
  test(`rolling replacement one pod at a time keeps one cluster (${graceful ? 'graceful leave' : 'pods killed'})`, async () => {
    const { sim, names } = formed(graceful ? 19 : 20, 3);
    assert.ok(await sim.run(60_000, () => sim.converged(names)));
    const splits: string[] = [];
    let current = [...names];
    for (const [i, old] of names.entries()) {
      const fresh = `new-${i}`;
      sim.addPod(fresh, 1000, 500); // maxSurge 1: the new pod first
      const joined = await runWatching(sim, 60_000, () => sim.converged([...current, fresh]), splits);
      assert.ok(joined, `${fresh} joined`);
      if (graceful) await sim.deletePod(old, true);
      else sim.kill(old, true);
      current = [...current.filter((n) => n !== old), fresh];
      const settled = await runWatching(sim, 60_000, () => sim.converged(current), splits);
      assert.ok(settled, `cluster settled after ${old} went`);
    }
    assert.equal(splits, []);
    assert.is(sim.foundings(), 1, 'the cluster was never formed again');
    assert.is(sim.clusterIds().size, 1);
  });
}

test('a partition between pods changes nothing; cut off from the kubelet too, one challenge each, answered', async () => {
  const { sim, names } = formed(22, 5);
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  await sim.run(15_000);
  const before = sim.api.counts.put;
  const uids = names.map((n) => sim.nodes.get(n)?.agent?.membership().selfUid);
  const pods = new Set(sim.live().map((n) => n.ip));
  const [x, y] = sim
    .live()
    .slice(0, 2)
    .map((n) => n.ip);
  const minority = new Set([x, y]);
  sim.net.blocked = (a, b) => pods.has(a) && pods.has(b) && minority.has(a) !== minority.has(b);
  const splits: string[] = [];
  await runWatching(sim, 60_000, () => false, splits);
  assert.equal(splits, []);
  assert.ok(sim.converged(names), 'still one cluster of all five');
  assert.is(sim.api.counts.put, before, 'no write at all');
  // Now the kubelet cannot probe the two either: their pods turn NotReady, the leader challenges each once, and each
  // answers (it still reaches the API). A pod signal alone removes nobody.
  sim.net.blocked = (a, b) => minority.has(a) !== minority.has(b);
  await runWatching(sim, 60_000, () => false, splits);
  assert.equal(splits, []);
  assert.equal(
    names.map((n) => sim.nodes.get(n)?.agent?.membership().selfUid),
    uids,
    'the same incarnations',
  );
  assert.is(logsOf(sim, 'members removed').length, 0);
  const challenges = logsOf(sim, 'challenging members').flatMap((l) => JSON.parse(l).members);
  assert.equal(
    challenges.map((m: { reason: string }) => m.reason),
    ['not ready', 'not ready'],
  );
  assert.is(logsOf(sim, 'answering a challenge').length, 2);
  assert.is(sim.api.counts.put, before + 4, 'two challenges (one write each), two refutations');
});

test('slow answers and fast watches: no member ever goes back to an older record', async () => {
  // Reads every second, so that some answers are overtaken by watch events of joins.
  const fast = { AGENT_API_CONTACT_INTERVAL: '1s', AGENT_API_CONTACT_TIMEOUT: '5s', AGENT_REMOVAL_MARGIN: '7s' };
  const sim = new Sim({ seed: 25, env: { [REQUIRED]: '6', ...fast } });
  sim.api.latencyMs = 250; // a read answered up to 500 ms later may be older than what the watch already delivered
  sim.api.watchDelayMs = 2;
  const names = Array.from({ length: 6 }, (_, i) => `pod-${i}`);
  for (const n of names) sim.addPod(n, Math.floor(sim.random() * 3000));
  const shown = new Map<string, number>();
  const shrank: string[] = [];
  const stopWatching = sim.everyEvent(() => {
    for (const n of sim.live()) {
      const m = n.agent?.membership();
      if (m?.phase !== 'member') continue;
      const before = shown.get(n.name) ?? 0;
      if (m.members.length < before && shrank.length < 5)
        shrank.push(`t=${sim.t} ${n.name}: ${before} -> ${m.members.length}`);
      shown.set(n.name, Math.max(before, m.members.length));
    }
  });
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  const late = Array.from({ length: 12 }, (_, i) => `late-${i}`);
  for (const [i, n] of late.entries()) sim.addPod(n, 700 * i); // joins while members read
  assert.ok(await sim.run(120_000, () => sim.converged([...names, ...late])));
  stopWatching();
  assert.equal(shrank, []);
});

test('a restarted container (same pod IP, new uid) replaces its old incarnation', async () => {
  const { sim, names } = formed(23, 3);
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  const before = sim.nodes.get('pod-2')?.agent?.snapshot().selfUid;
  sim.restart('pod-2');
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  assert.is.not(sim.nodes.get('pod-2')?.agent?.snapshot().selfUid, before);
  assert.is(sim.foundings(), 1);
});

test('a pod killed without leaving is removed for "pod gone", the removal margin after its pod went', async () => {
  const { sim, names } = formed(24, 4);
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  await sim.run(15_000); // past the join grace
  const leader = sim.nodes.get('pod-0')?.agent?.membership().leader;
  const victim = sim.live().find((n) => !leader?.includes(`@${n.ip}:`));
  assert.ok(victim);
  if (!victim) return;
  sim.kill(victim.name, true);
  const rest = names.filter((n) => n !== victim.name);
  const t0 = sim.t;
  assert.ok(await sim.run(40_000, () => sim.converged(rest)));
  const took = sim.t - t0;
  const removed = logsOf(sim, 'members removed').map((l) => JSON.parse(l));
  assert.equal(
    removed.flatMap((l) => l.removed),
    [{ node: `pekko://Appka@${victim.ip}:17355`, reason: 'pod gone' }],
  );
  const challenged = logsOf(sim, 'challenging members').map((l) => JSON.parse(l));
  assert.equal(
    challenged.flatMap((l) => l.members.map((m: { reason: string }) => m.reason)),
    ['pod gone'],
  );
  // The margin is kept (17 s from the challenge), and nothing else delays it: the pod watch sees the pod go at once.
  assert.ok(took >= 17_000 && took <= 17_000 + 1500, `removed ${took}ms after the pod went`);
});

test.run();
