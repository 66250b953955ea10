import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ContactPoint } from '../../core/discovery/contact-points.ts';
import { nextLookupDelay } from './backoff.ts';
import { type DecisionInput, decide, matchesSelf } from './decider.ts';

const cp = (ip: string, port = 7626, namedPort = false): ContactPoint => ({
  pod: `pod-${ip}`,
  host: `${ip.replace(/\./g, '-')}.ns.pod.cluster.local`,
  port,
  podIP: ip,
  ready: false,
  namedPort,
});
const NOW = 100_000;
const points = [cp('10.0.0.7'), cp('10.0.0.200'), cp('10.0.0.9')];
const input = (over: Partial<DecisionInput> = {}): DecisionInput => ({
  now: NOW,
  contactPoints: points,
  contactPointsChangedAt: NOW - 10_000,
  observations: points.map((p) => ({ contactPoint: p, observedAt: NOW - 500, seedNodes: [] })),
  self: { host: '10.0.0.200', port: 7626 },
  settings: {
    requiredContactPointNr: 3,
    stableMarginMs: 5000,
    contactWithAllContactPoints: true,
    newClusterEnabled: true,
    probingFailureTimeoutMs: 3000,
  },
  ...over,
});

test('rule 5: the lowest address in Pekko order (10.0.0.200: 200 is a negative byte) joins itself', () => {
  assert.equal(decide(input()), { kind: 'JoinSelf' });
  const other = decide(input({ self: { host: '10.0.0.7', port: 7626 } }));
  assert.is(other.kind, 'KeepProbing');
  if (other.kind === 'KeepProbing') {
    assert.is(other.reason, 'NotLowestAddress');
    assert.match(other.message, /expecting 10-0-0-200\.ns\.pod\.cluster\.local:7626/);
  }
});

test('rule 1 first: any fresh answer with seed nodes wins, sorted, at most 5, even when unstable or too few', () => {
  const seeds = Array.from({ length: 7 }, (_, i) => `pekko://A@10.0.0.${20 - i}:17355`);
  const d = decide(
    input({
      contactPointsChangedAt: NOW,
      observations: [{ contactPoint: points[0] as ContactPoint, observedAt: NOW, seedNodes: seeds }],
    }),
  );
  assert.equal(d, {
    kind: 'JoinOtherSeedNodes',
    seedNodes: [
      'pekko://A@10.0.0.14:17355',
      'pekko://A@10.0.0.15:17355',
      'pekko://A@10.0.0.16:17355',
      'pekko://A@10.0.0.17:17355',
      'pekko://A@10.0.0.18:17355',
    ],
  });
});

test('answers older than the probing failure timeout are ignored (rule 1 and 2)', () => {
  const stale = input({
    observations: points.map((p) => ({ contactPoint: p, observedAt: NOW - 3001, seedNodes: ['pekko://A@1.1.1.1:1'] })),
  });
  const d = decide(stale);
  assert.ok(d.kind === 'KeepProbing' && d.reason === 'NotEnoughContactPoints');
});

test('rules 2, 3, 4 in order, and new-cluster-enabled', () => {
  const two = input({ observations: input().observations.slice(0, 2) });
  assert.ok(decide(two).kind === 'KeepProbing');
  assert.is((decide(two) as { reason: string }).reason, 'NotEnoughContactPoints');
  assert.is((decide(input({ contactPointsChangedAt: NOW - 4999 })) as { reason: string }).reason, 'NotStable');
  const missing = input({
    settings: { ...input().settings, requiredContactPointNr: 2 },
    observations: input().observations.slice(1),
  });
  const m = decide(missing);
  assert.ok(m.kind === 'KeepProbing' && m.reason === 'UnconfirmedContactPoints' && /10-0-0-7/.test(m.message));
  // contact-with-all off: the lowest CONFIRMED point decides (10.0.0.200 answered).
  assert.equal(decide({ ...missing, settings: { ...missing.settings, contactWithAllContactPoints: false } }), {
    kind: 'JoinSelf',
  });
  const off = decide(input({ settings: { ...input().settings, newClusterEnabled: false } }));
  assert.ok(off.kind === 'KeepProbing' && off.reason === 'NewClusterDisabled');
});

test('matchesSelf: host or IP; the port only counts for named ports', () => {
  assert.ok(matchesSelf(cp('10.0.0.1'), { host: '10.0.0.1', port: 1 }));
  assert.ok(matchesSelf(cp('10.0.0.1'), { host: '10-0-0-1.ns.pod.cluster.local', port: 1 }));
  assert.ok(matchesSelf(cp('10.0.0.1', 8558, true), { host: '10.0.0.1', port: 8558 }));
  assert.not.ok(matchesSelf(cp('10.0.0.1', 8558, true), { host: '10.0.0.1', port: 7626 }));
  assert.not.ok(matchesSelf(cp('10.0.0.2'), { host: '10.0.0.1', port: 7626 }));
});

test('discovery backoff: interval on success, doubling with jitter on failures, capped at max (before jitter)', () => {
  const s = { discoveryIntervalMs: 1000, backoffMaxMs: 15_000, backoffRandomFactor: 0.2 };
  assert.is(nextLookupDelay(0, s, 0.9), 1000);
  assert.is(nextLookupDelay(1, s, 0), 2000);
  assert.is(nextLookupDelay(2, s, 0), 4000);
  assert.is(nextLookupDelay(3, s, 0.5), 8800);
  assert.is(nextLookupDelay(4, s, 0), 15_000);
  assert.is(nextLookupDelay(40, s, 0.999), 17_997);
});

test.run();
