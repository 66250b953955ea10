// The probe scheduler with an event stream (probe-scheduler.ts, "Event streams"): a live stream stretches the settled
// interval, a member event asks every answering pod at once, and the stream is held to the oldest member's pod.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import type { StreamCandidate } from './event-streams.ts';
import type { GetResult, HttpGet } from './probe-http.ts';
import { ProbeScheduler, type Target } from './probe-scheduler.ts';
import type { StreamPort } from './stream-follow.ts';

const addr = (ip: string) => `pekko://A@${ip}:17355`;
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

/**
 * Every pod answers one cluster of IPS, oldest 10.0.0.2, unless `view` says otherwise for a host (the IPs it lists);
 * `hold` keeps a request unanswered until released.
 */
function network() {
  const view = new Map<string, string[]>();
  const seedCalls: [number, string][] = [];
  let hold: Promise<void> | undefined;
  const clock = new FakeClock();
  const get: HttpGet = async (url) => {
    const host = new URL(url).hostname;
    if (url.endsWith('/bootstrap/seed-nodes')) seedCalls.push([clock.now(), host]);
    if (hold) await hold;
    const members = (view.get(host) ?? IPS).map((ip) => ({ node: addr(ip), nodeUid: '1', status: 'Up', roles: [] }));
    const body = url.endsWith('/bootstrap/seed-nodes')
      ? JSON.stringify({ selfNode: addr(host), seedNodes: members.map((m) => ({ ...m, nodeUid: 1 })) })
      : JSON.stringify({ selfNode: addr(host), members, unreachable: [], oldest: addr('10.0.0.2'), oldestPerRole: {} });
    return { status: 200, contentType: 'application/json', body } satisfies GetResult;
  };
  return { clock, get, seedCalls, view, holdUntil: (p: Promise<void> | undefined) => (hold = p) };
}

/** A stream holder whose liveness the test sets; keeps what the scheduler handed it. */
interface FakeStreams extends StreamPort {
  live: boolean;
  candidates: StreamCandidate[];
  onChange: (pod?: string) => void;
}

function fakeStreams(live: boolean): FakeStreams {
  const s: FakeStreams = {
    live,
    candidates: [] as StreamCandidate[],
    onChange: () => {},
    follow(_key: string, candidates: StreamCandidate[], onChange: (pod?: string) => void) {
      s.candidates = candidates;
      s.onChange = onChange;
      return s.live;
    },
    forget() {},
  };
  return s;
}

const targets = (): Target[] =>
  IPS.map((ip, i) => ({
    contactPoint: { pod: `p${i}`, host: ip, port: 7626, ready: true },
    incarnation: `u${i}/${ip}`,
  }));
const input = { resourcesReady: true, requiredContactPoints: 3 };
const formed = { ...input, previousPhase: 'Formed' as const };

/** Formed and settled: the first round answered, then the slow pace set by a second observe. */
async function settled(streams?: StreamPort, net = network(), maxProbesPerPass = 16) {
  const changed: string[] = [];
  const obs = new ProbeScheduler({
    get: net.get,
    clock: net.clock,
    onChange: (k) => changed.push(k),
    fastMs: 2000,
    slowMs: 30_000,
    maxProbesPerPass,
    ...(streams ? { streams } : {}),
  });
  obs.observe('ns/a', targets(), input);
  await flush();
  obs.observe('ns/a', targets(), formed);
  await net.clock.advance(2100);
  obs.observe('ns/a', targets(), formed);
  await flush();
  return { net, obs, changed };
}

const probesOf = (calls: [number, string][], host: string, after: number) =>
  calls.filter(([t, h]) => h === host && t >= after).length;

test('while the stream is live, a settled cluster is probed every 4 x slowMs; without one, every slowMs', async () => {
  for (const [live, expected] of [
    [false, 8],
    [true, 2],
  ] as const) {
    const { net } = await settled(fakeStreams(live));
    const from = net.clock.now();
    await net.clock.advance(240_000);
    assert.is(probesOf(net.seedCalls, '10.0.0.1', from), expected, `live=${live}`);
  }
});

test('a member event asks every pod at once (no tick, no reconcile needed), asks for a reconcile, then probes fast', async () => {
  const streams = fakeStreams(true);
  const { net, changed } = await settled(streams);
  await net.clock.advance(5000);
  const at = net.clock.now();
  changed.length = 0;
  streams.onChange();
  await flush();
  assert.equal(
    net.seedCalls.filter(([t]) => t === at).map(([, h]) => h),
    IPS,
    'every pod asked at the instant of the event',
  );
  assert.ok(changed.includes('ns/a'), 'a reconcile is asked for');
  // The cluster counts as changing: the next probes come every fastMs, not at the stretched slow time.
  await net.clock.advance(4100);
  assert.is(probesOf(net.seedCalls, '10.0.0.1', at), 3);
});

test('an event during a probe in flight asks that pod once more when its answer is in', async () => {
  const streams = fakeStreams(true);
  const { net } = await settled(streams);
  let release = () => {};
  net.holdUntil(new Promise<void>((r) => (release = r)));
  streams.onChange();
  await flush();
  const at = net.clock.now();
  streams.onChange();
  streams.onChange();
  net.holdUntil(undefined);
  release();
  await flush();
  assert.is(probesOf(net.seedCalls, '10.0.0.1', at), 2, 'one probe, then one more: not one per event');
});

test('after an event, a pod that disagrees with the stream pod is chased every chaseStepMs until it agrees; the others are not', async () => {
  const streams = fakeStreams(true);
  const net = network();
  const { obs } = await settled(streams, net);
  const updated = [...IPS, '10.0.0.4'];
  // 10.0.0.2 (the stream's pod) saw a member come up; 10.0.0.3 heard by gossip already, 10.0.0.1 hears 450 ms later.
  net.view.set('10.0.0.2', updated);
  net.view.set('10.0.0.3', updated);
  const at = net.clock.now();
  streams.onChange('p1');
  await net.clock.advance(449);
  net.view.set('10.0.0.1', updated);
  await net.clock.advance(1550);
  const probesOf1 = net.seedCalls.filter(([t, h]) => h === '10.0.0.1' && t >= at).map(([t]) => t - at);
  assert.equal(probesOf1, [0, 100, 200, 300, 400, 500], 'chased until it agreed, not after');
  assert.is(probesOf(net.seedCalls, '10.0.0.3', at), 1, 'a pod that agrees is asked once');
  assert.is(obs.observe('ns/a', targets(), formed).observation.members, 4);
});

test('at most maxProbesPerPass pods of a resource are chased at once', async () => {
  const streams = fakeStreams(true);
  const net = network();
  await settled(streams, net, 1);
  net.view.set('10.0.0.2', [...IPS, '10.0.0.4']);
  const at = net.clock.now();
  streams.onChange('p1');
  await net.clock.advance(1000);
  const chased = (host: string) => probesOf(net.seedCalls, host, at) - 1;
  assert.is(chased('10.0.0.1') + chased('10.0.0.3'), 10, 'one chase probe per step, not two');
});

test("the stream is held to the oldest member's pod first, and only to pods that answered with members", async () => {
  const streams = fakeStreams(false);
  await settled(streams);
  assert.equal(
    streams.candidates.map((c) => c.pod),
    ['p1', 'p0', 'p2'],
  );
  assert.equal(streams.candidates[0], { pod: 'p1', incarnation: 'u1/10.0.0.2', host: '10.0.0.2', port: 7626 });
});

test.run();
