import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import type { GetResult, HttpGet } from './probe-http.ts';
import { ProbeScheduler, type Target } from './probe-scheduler.ts';

const addr = (ip: string) => `pekko://A@${ip}:17355`;

/** A fake network: each host answers as its entry says; records every URL asked. */
function network(cluster: string[]) {
  const calls: string[] = [];
  const down = new Set<string>();
  const get: HttpGet = async (url) => {
    calls.push(url);
    const host = new URL(url).hostname;
    if (down.has(host)) throw new Error('connect ECONNREFUSED');
    const body = url.endsWith('/bootstrap/seed-nodes')
      ? JSON.stringify({
          selfNode: addr(host),
          seedNodes: cluster.map((ip) => ({ node: addr(ip), nodeUid: 1, status: 'Up', roles: [] })),
        })
      : JSON.stringify({
          selfNode: addr(host),
          members: cluster.map((ip) => ({ node: addr(ip), nodeUid: '1', status: 'Up', roles: [] })),
          unreachable: [],
          oldest: addr(cluster[0] as string),
          oldestPerRole: {},
        });
    return { status: 200, contentType: 'application/json', body } satisfies GetResult;
  };
  return { get, calls, down };
}

const targets = (ips: string[], ready = true): Target[] =>
  ips.map((ip, i) => ({ contactPoint: { pod: `p${i}`, host: ip, port: 7626, ready }, incarnation: `uid${i}/${ip}` }));

function setup(cluster: string[], opts: Partial<ConstructorParameters<typeof ProbeScheduler>[0]> = {}) {
  const clock = new FakeClock();
  const net = network(cluster);
  const changed: string[] = [];
  /** When each seed-nodes request (one per probe) was made, by host. */
  const probedAt: [number, string][] = [];
  const inner = opts.get ?? net.get;
  const get: HttpGet = (url, limits) => {
    if (url.endsWith('/bootstrap/seed-nodes')) probedAt.push([clock.now(), new URL(url).hostname]);
    return inner(url, limits);
  };
  const obs = new ProbeScheduler({ clock, onChange: (k) => changed.push(k), ...opts, get });
  return { clock, net, changed, obs, probedAt };
}

/** The gaps between consecutive probes of one host. */
const gapsOf = (probedAt: [number, string][], host: string) => {
  const times = probedAt.filter(([, h]) => h === host).map(([t]) => t);
  return times.slice(1).map((t, i) => t - (times[i] as number));
};

const input = { resourcesReady: true, requiredContactPoints: 3 };

test('first observe knows nothing, probes every pod, and asks for a reconcile when answers arrive', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { obs, net, changed } = setup(ips);
  const first = obs.observe('ns/a', targets(ips), input);
  assert.is(first.observation.phase, 'Forming');
  await flush();
  assert.is(net.calls.filter((u) => u.endsWith('seed-nodes')).length, 3);
  assert.ok(changed.includes('ns/a'));
  const second = obs.observe('ns/a', targets(ips), input);
  assert.is(second.observation.phase, 'Formed');
  assert.is(second.observation.seedNode, addr('10.0.0.1'));
});

test('the previous phase decides whether the first-formation rule applies (Formed stays Formed after a member left)', async () => {
  const ips = ['10.0.0.1', '10.0.0.2'];
  const { obs } = setup(ips);
  const t = [...targets(ips), ...targets(['10.0.0.3'], false).map((x) => ({ ...x, incarnation: 'c' }))];
  (t[2] as Target).contactPoint.pod = 'p2';
  obs.observe('ns/a', t, input);
  await flush();
  assert.is(obs.observe('ns/a', t, input).observation.phase, 'Forming');
  assert.is(obs.observe('ns/a', t, { ...input, previousPhase: 'Formed' }).observation.phase, 'Formed');
  assert.is(obs.observe('ns/a', t, { ...input, previousPhase: 'Degraded' }).observation.phase, 'Formed');
});

test('no probe is repeated before its interval: an idle resync asks nobody', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { obs, net, clock } = setup(ips, { fastMs: 2000, slowMs: 30_000 });
  obs.observe('ns/a', targets(ips), input);
  await flush();
  const before = net.calls.length;
  await clock.advance(500);
  obs.observe('ns/a', targets(ips), { ...input, previousPhase: 'Formed' });
  await flush();
  assert.is(net.calls.length, before);
});

test('once Formed, pods are probed every slowMs, not every fastMs', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { obs, net, clock } = setup(ips, { fastMs: 2000, slowMs: 30_000 });
  obs.observe('ns/a', targets(ips), input);
  await flush();
  const r = obs.observe('ns/a', targets(ips), { ...input, previousPhase: 'Formed' });
  await flush();
  await clock.advance(2100);
  // The answers of the first round were taken at the fast interval; after that round they go slow.
  obs.observe('ns/a', targets(ips), { ...input, previousPhase: 'Formed' });
  await flush();
  const afterFast = net.calls.length;
  await clock.advance(10_000);
  obs.observe('ns/a', targets(ips), { ...input, previousPhase: 'Formed' });
  await flush();
  assert.is(net.calls.length, afterFast, 'nothing within the slow interval');
  await clock.advance(25_000);
  obs.observe('ns/a', targets(ips), { ...input, previousPhase: 'Formed' });
  await flush();
  assert.ok(net.calls.length > afterFast, 'probed again after the slow interval');
  assert.ok(r.requeueAfterMs >= 1000);
});

test('a pod whose readiness changed is probed at once, and so are the others (their member lists are outdated)', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { obs, net } = setup(ips);
  obs.observe('ns/a', targets(ips, false), input);
  await flush();
  const before = net.calls.length;
  const t = targets(ips, false);
  (t[1] as Target).contactPoint.ready = true;
  obs.observe('ns/a', t, input);
  await flush();
  const asked = net.calls.slice(before).map((u) => new URL(u).hostname);
  assert.equal(asked.filter((h) => h === '10.0.0.2').length, 2, 'seed-nodes and members of the changed pod');
  assert.equal([...new Set(asked)].sort(), ips);
});

test('failures back off exponentially, probed by the shared timer without a reconcile', async () => {
  const ips = ['10.0.0.1'];
  const { obs, net, clock, probedAt } = setup(ips, { fastMs: 1000, slowMs: 8000 });
  net.down.add('10.0.0.1');
  obs.observe('ns/a', targets(ips), { ...input, requiredContactPoints: 1 });
  await clock.advance(20_000);
  assert.equal(gapsOf(probedAt, '10.0.0.1').slice(0, 4), [1000, 2000, 4000, 8000]);
});

test('at most maxProbesPerPass probes start per pass; the rest follow later', async () => {
  const ips = Array.from({ length: 50 }, (_, i) => `10.0.1.${i + 1}`);
  const { obs, net, clock } = setup(ips, { maxProbesPerPass: 10, fastMs: 1000 });
  obs.observe('ns/a', targets(ips), input);
  await flush();
  assert.is(net.calls.filter((u) => u.endsWith('seed-nodes')).length, 10);
  for (let i = 0; i < 4; i++) {
    await clock.advance(100);
    obs.observe('ns/a', targets(ips), input);
    await flush();
  }
  assert.is(new Set(net.calls.map((u) => new URL(u).hostname)).size, 50);
});

test('concurrency is bounded across resources', async () => {
  let inFlight = 0;
  let peak = 0;
  const release: (() => void)[] = [];
  const get: HttpGet = async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((r) => release.push(r));
    inFlight--;
    return { status: 404, contentType: 'text/plain', body: '' };
  };
  const obs = new ProbeScheduler({ get, clock: new FakeClock(), onChange: () => {}, concurrency: 4 });
  obs.observe('ns/a', targets(['10.0.0.1', '10.0.0.2', '10.0.0.3']), input);
  obs.observe('ns/b', targets(['10.0.0.4', '10.0.0.5', '10.0.0.6']), input);
  await flush();
  assert.is(peak, 4);
  while (release.length) {
    release.shift()?.();
    await flush();
  }
  assert.is(peak, 4);
});

test('a pod that left makes the others be asked again at once, then every fastMs for settleMs, although Formed', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { obs, net, clock } = setup(ips, { fastMs: 2000, slowMs: 30_000, settleMs: 10_000 });
  const formed = { ...input, previousPhase: 'Formed' as const };
  obs.observe('ns/a', targets(ips), formed);
  await flush();
  await clock.advance(2100);
  obs.observe('ns/a', targets(ips), formed);
  await flush();
  await clock.advance(5000);
  const quiet = net.calls.length;
  obs.observe('ns/a', targets(ips), formed);
  await flush();
  assert.is(net.calls.length, quiet, 'settled and Formed: slow interval');
  // p2 (10.0.0.3) is gone: its member list and oldest were in the others' answers.
  const left = targets(ips).slice(0, 2);
  const r = obs.observe('ns/a', left, formed);
  await flush();
  assert.equal(
    net.calls
      .slice(quiet)
      .map((u) => new URL(u).hostname)
      .sort(),
    ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2'],
  );
  assert.is(r.requeueAfterMs, 2000);
  const asked = net.calls.length;
  await clock.advance(2100);
  obs.observe('ns/a', left, formed);
  await flush();
  assert.ok(net.calls.length > asked, 'every fastMs while settling');
  await clock.advance(12_000);
  obs.observe('ns/a', left, formed);
  await flush();
  const settled = net.calls.length;
  await clock.advance(5000);
  obs.observe('ns/a', left, formed);
  await flush();
  assert.is(net.calls.length, settled, 'slow again once settled');
});

test('a new pod that is not Ready yet does not make the others be asked again', async () => {
  const ips = ['10.0.0.1', '10.0.0.2'];
  const { obs, net, clock } = setup(ips, { fastMs: 2000, slowMs: 30_000 });
  const formed = { ...input, previousPhase: 'Formed' as const, requiredContactPoints: 2 };
  obs.observe('ns/a', targets(ips), formed);
  await flush();
  await clock.advance(2100);
  obs.observe('ns/a', targets(ips), formed);
  await flush();
  await clock.advance(100);
  const before = net.calls.length;
  const grown = [...targets(ips), ...targets(['10.0.0.3'], false).map((t) => ({ ...t, incarnation: 'new' }))];
  (grown[2] as Target).contactPoint.pod = 'p2';
  obs.observe('ns/a', grown, formed);
  await flush();
  assert.equal(
    net.calls.slice(before).map((u) => new URL(u).hostname),
    ['10.0.0.3', '10.0.0.3'],
  );
});

test('once one answer shows unreachable members, the pods on the slow pace are asked within fastMs, not at their slow time', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  // 10.0.0.3 is cut off from the others once `cut` is set: only its own answer says so at first.
  let cut = false;
  const base = network(ips);
  const get: HttpGet = async (url, limits) => {
    const res = await base.get(url, limits);
    if (!cut || new URL(url).hostname !== '10.0.0.3' || !url.endsWith('/cluster/members')) return res;
    const body = JSON.parse(res.body);
    return { ...res, body: JSON.stringify({ ...body, unreachable: [{ node: addr('10.0.0.1'), observedBy: [] }] }) };
  };
  const { obs, clock } = setup(ips, { get, fastMs: 2000, slowMs: 30_000, settleMs: 0, maxProbesPerPass: 1 });
  const formed = { ...input, previousPhase: 'Formed' as const };
  const pass = async () => {
    const r = obs.observe('ns/a', targets(ips), formed);
    await flush();
    return r;
  };
  // One probe per pass, a second apart: the pods' slow times are staggered, as in a real cluster.
  for (let i = 0; i < 40; i++) {
    await pass();
    await clock.advance(1000);
  }
  cut = true;
  // The shared timer probes 10.0.0.3 at its slow time; its answer asks for a reconcile (the pass below).
  let at = 0;
  for (let i = 0; i < 160 && !at; i++) {
    const before = base.calls.length;
    await clock.advance(250);
    if (base.calls.slice(before).some((u) => u.includes('10.0.0.3'))) at = clock.now();
  }
  assert.ok(at, '10.0.0.3 was probed at its slow time');
  const before = base.calls.length;
  assert.is((await pass()).observation.phase, 'Degraded');
  const asked = () => new Set(base.calls.slice(before).map((u) => new URL(u).hostname));
  while (!(asked().has('10.0.0.1') && asked().has('10.0.0.2')) && clock.now() - at < 30_000) {
    await clock.advance(250);
    await pass();
  }
  // Their slow times were up to 28 s away; each is asked within fastMs of its last probe instead.
  assert.ok(clock.now() - at <= 2000, `both asked ${clock.now() - at} ms after the first sign`);
});

test("a resource's own slowMs (the resolver's stable-after) caps the slow pace", async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { obs, net, clock } = setup(ips, { fastMs: 2000, slowMs: 30_000, settleMs: 0 });
  const formed = { ...input, previousPhase: 'Formed' as const, slowMs: 5000 };
  obs.observe('ns/a', targets(ips), input);
  await flush();
  obs.observe('ns/a', targets(ips), formed);
  await flush();
  // Formed now: each pod is next asked 5 s after its last answer, by the shared timer.
  const before = net.calls.length;
  await clock.advance(4900);
  assert.is(net.calls.length, before, 'not before 5 s');
  await clock.advance(200);
  assert.is(net.calls.length - before, 6, 'each pod again after 5 s, not 30 s (two requests each)');
});

test('a pod that never answered backs off to silentMaxMs; one that answered before, to slowMs', async () => {
  const ips = ['10.0.0.1'];
  const probeGaps = async (opts: { answerFirst: boolean }) => {
    const { obs, net, clock, probedAt } = setup(ips, { fastMs: 1000, slowMs: 8000, silentMaxMs: 32_000 });
    if (!opts.answerFirst) net.down.add('10.0.0.1');
    obs.observe('ns/a', targets(ips), { ...input, requiredContactPoints: 1 });
    await flush();
    net.down.add('10.0.0.1');
    await clock.advance(150_000);
    return gapsOf(probedAt, '10.0.0.1');
  };
  assert.equal((await probeGaps({ answerFirst: false })).slice(0, 7), [1000, 2000, 4000, 8000, 16000, 32000, 32000]);
  // The first gap is the answer's interval (fastMs), then the failures' backoff.
  assert.equal((await probeGaps({ answerFirst: true })).slice(0, 6), [1000, 1000, 2000, 4000, 8000, 8000]);
});

test('the reconcile is asked back every fastMs only while a pod answers and the cluster can change', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  // The pods answer "not joined yet" (no seed nodes) when they answer.
  const { obs, net, clock, changed } = setup([], { fastMs: 2000, slowMs: 30_000, settleMs: 10_000 });
  for (const ip of ips) net.down.add(ip);
  let r = obs.observe('ns/a', targets(ips), input);
  await flush();
  assert.is(r.requeueAfterMs, 300_000, 'nothing answers: only a changed answer or an event brings it back');
  // One pod starts answering: the timer's probe finds it and asks for a reconcile; then every fastMs.
  net.down.delete('10.0.0.1');
  changed.length = 0;
  await clock.advance(130_000);
  assert.ok(changed.includes('ns/a'), 'the answer asked for a reconcile');
  r = obs.observe('ns/a', targets(ips), input);
  assert.is(r.observation.phase, 'Forming');
  assert.is(r.requeueAfterMs, 2000, 'a pod answers, not Formed');
  // Formed and settled: quiet again.
  const formed = setup(ips, { fastMs: 2000, slowMs: 30_000, settleMs: 10_000 });
  formed.obs.observe('ns/a', targets(ips), input);
  await formed.clock.advance(20_000);
  r = formed.obs.observe('ns/a', targets(ips), { ...input, previousPhase: 'Formed' });
  assert.is(r.observation.phase, 'Formed');
  assert.is(r.requeueAfterMs, 300_000, 'Formed and settled');
});

test('a pod that becomes Ready after failing for long is asked at once and then backs off from fastMs again', async () => {
  const ips = ['10.0.0.1'];
  const { obs, net, clock, probedAt } = setup(ips, { fastMs: 1000, slowMs: 8000, silentMaxMs: 64_000 });
  net.down.add('10.0.0.1');
  obs.observe('ns/a', targets(ips, false), { ...input, requiredContactPoints: 1 });
  await clock.advance(100_000);
  const before = probedAt.length;
  obs.observe('ns/a', targets(ips, true), { ...input, requiredContactPoints: 1 });
  await clock.advance(3500);
  const times = probedAt.slice(before).map(([t]) => t);
  assert.equal(
    times.slice(1).map((t, i) => t - (times[i] as number)),
    [1000, 2000],
  );
});

test.run();
