// Deterministic scenarios on the simulation: late joiners, too few contact points, API failures, rolling
// replacements, Pekko's address order, partitions and restarts. Each runs on a fixed seed in simulated time.
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
    if (sim.clusterIds().size > 1) splits.push(`t=${sim.clock.now()}: ${[...sim.clusterIds()].join(' | ')}`);
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
  sim.kube.mode = 'forbidden';
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
  for (const [ip, calls] of sim.kube.calls) assert.ok(calls <= 14, `${ip} made ${calls} pod-list calls in 120 s`);
  // RBAC fixed: the cluster forms.
  sim.kube.mode = 'ok';
  assert.ok(await sim.run(60_000, () => sim.converged(['pod-0', 'pod-1', 'pod-2'])));
});

test('API timeouts and 500s: no formation, logged with their codes', async () => {
  for (const [mode, code] of [
    ['timeout', 'Timeout'],
    ['error500', 'HttpStatus'],
  ] as const) {
    const { sim } = formed(14, 2);
    sim.kube.mode = mode;
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

test('pod-list calls: about one per pod per second while forming, then only the leader every 5 s', async () => {
  const { sim, names } = formed(18, 5);
  const t0 = sim.clock.now();
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  const formingSecs = (sim.clock.now() - t0) / 1000;
  const forming = [...sim.kube.calls.values()].reduce((a, b) => a + b, 0);
  sim.kube.calls.clear();
  await sim.run(60_000);
  const after = [...sim.kube.calls.values()].reduce((a, b) => a + b, 0);
  const perPodFormingRate = forming / 5 / formingSecs;
  const perPodAfterRate = after / 5 / 60;
  console.log(
    `pod-list calls per pod per second: forming ${perPodFormingRate.toFixed(2)}, member ${perPodAfterRate.toFixed(3)}`,
  );
  assert.ok(perPodFormingRate <= 1.05);
  assert.ok(perPodAfterRate <= 0.05, `after joining ${perPodAfterRate}`);
  assert.is(sim.kube.calls.size, 1, 'only the leader lists pods while all are reachable');
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

test('the leader hangs (pod still Running): the others take over, remove it, and it rejoins when back', async () => {
  const { sim, names } = formed(21, 3);
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  const leaderNode = sim.nodes.get('pod-0')?.agent?.membership().leader;
  const leader = sim.live().find((n) => leaderNode?.includes(`@${n.ip}:`));
  assert.ok(leader);
  if (!leader) return;
  sim.net.hung.add(leader.ip);
  const others = names.filter((n) => n !== leader.name);
  assert.ok(await sim.run(30_000, () => sim.converged(others) === true), 'the two others continue without it');
  assert.ok(logsOf(sim, 'leader unreachable, taking over').length >= 1);
  sim.net.hung.delete(leader.ip);
  assert.ok(await sim.run(60_000, () => sim.converged(names)), 'it rejoined as a new incarnation');
  assert.ok(logsOf(sim, 'removed from the cluster').some((l) => l.includes(`"pod":"${leader.name}"`)));
  assert.is(sim.foundings(), 1);
});

test('a partition: the minority side leaves, forms nothing, and rejoins when healed', async () => {
  const { sim, names } = formed(22, 5);
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  const [x, y] = sim
    .live()
    .slice(0, 2)
    .map((n) => n.ip);
  const minority = new Set([x, y]);
  sim.net.blocked = (a, b) => minority.has(a) !== minority.has(b);
  const majority = sim
    .live()
    .filter((n) => !minority.has(n.ip))
    .map((n) => n.name);
  assert.ok(await sim.run(60_000, () => sim.converged(majority)), 'the majority carries on alone');
  await sim.run(30_000);
  for (const n of sim.live().filter((n) => minority.has(n.ip))) {
    assert.is(n.agent?.snapshot().view, undefined, `${n.name} left`);
  }
  assert.is(sim.foundings(), 1, 'the minority formed no cluster of its own');
  sim.net.blocked = () => false;
  assert.ok(await sim.run(60_000, () => sim.converged(names)), 'healed: one cluster again');
  assert.is(sim.clusterIds().size, 1);
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

test('a pod killed without leaving is removed once its pod is gone from the API', async () => {
  const { sim, names } = formed(24, 4);
  assert.ok(await sim.run(60_000, () => sim.converged(names)));
  const victim = sim.live().find((n) => !sim.nodes.get('pod-0')?.agent?.membership().leader?.includes(`@${n.ip}:`));
  assert.ok(victim);
  if (!victim) return;
  sim.kill(victim.name, true);
  const rest = names.filter((n) => n !== victim.name);
  const t0 = sim.clock.monotonic();
  assert.ok(await sim.run(30_000, () => sim.converged(rest)));
  const removed = logsOf(sim, 'members removed').map((l) => JSON.parse(l));
  assert.ok(
    removed.some((l) => l.removed.some((r: { reason: string }) => r.reason === 'pod gone' || r.reason === 'silent')),
  );
  assert.ok(sim.clock.monotonic() - t0 <= 12_000, `removed within ${sim.clock.monotonic() - t0}ms`);
});

test('a wall clock step of 2 minutes, forward or back, changes nothing: the agent times on the monotonic clock', async () => {
  const { sim, names } = formed(26, 3);
  await sim.run(3000); // bootstrapping: every agent has started, the stable margin (5 s) has not passed
  sim.clock.stepWall(-120_000);
  assert.ok(await sim.run(30_000, () => sim.converged(names)), 'the stable margin is not stretched by 2 minutes');
  for (const step of [+120_000, -120_000, -120_000]) {
    sim.clock.stepWall(step);
    await sim.run(15_000);
    assert.ok(sim.converged(names), `after a step of ${step} ms`);
  }
  assert.is(sim.foundings(), 1);
  assert.equal(logsOf(sim, 'members removed'), []);
  assert.equal(logsOf(sim, 'leader unreachable, taking over'), []);
});

test('a long run of many members holds only live timers (cancelled request timeouts are dropped)', async () => {
  const { sim, names } = formed(25, 25);
  assert.ok(await sim.run(120_000, () => sim.converged(names)));
  const requests = sim.net.requests;
  await sim.run(30_000);
  // Every member gossips with every other each second, each request with a timeout timer that is cancelled when the
  // answer comes: 18,000 cancelled timers in these 30 s. What stays is a few timers per member and request in flight.
  assert.ok(sim.net.requests - requests > 15_000, `${sim.net.requests - requests} requests`);
  assert.ok(sim.clock.pending < 25 * 10, `${sim.clock.pending} timers pending`);
  assert.ok(sim.converged(names));
});

test.run();
