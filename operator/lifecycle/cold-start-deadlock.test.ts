// The trap a cold start must avoid, on Pekko's own join rule (the agent's decider, agent/bootstrap/decider.ts, which
// pekko.e2e.ts checks against real Pekko nodes): after a full outage every pod may only join. Re-enabling formation
// with a rolling update (the default strategy: maxSurge 1, maxUnavailable 0) starts one new pod that may form beside
// the old ones that may not; only the lowest contact point forms, so unless the new pod is the lowest nobody forms,
// the new pod never becomes Ready (readiness is membership) and the rollout waits for it forever. Replacing every
// pod at once (strategy Recreate, what the operator does: formation.ts) lets whichever pod is lowest form. The pod IPs
// go round-robin through a /24, as the local cluster hands them out; every position of the round is tried.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decide } from '../../agent/bootstrap/decider.ts';
import type { ContactPoint } from '../../core/discovery/contact-points.ts';

interface Pod {
  ip: string;
  /** new-cluster-enabled as its revision handed it. */
  mayForm: boolean;
}

const NOW = 1_000_000;
const cp = (p: Pod): ContactPoint => ({
  pod: p.ip,
  host: p.ip,
  port: 7626,
  podIP: p.ip,
  ready: false,
  namedPort: true,
});

/** The pod that joins itself when these pods run, have all answered with no seed nodes and are stable; if any. */
function founder(pods: Pod[]): Pod | undefined {
  const points = pods.map(cp);
  const formers = pods.filter(
    (self) =>
      decide({
        now: NOW,
        contactPoints: points,
        contactPointsChangedAt: NOW - 60_000,
        observations: points.map((c) => ({ contactPoint: c, observedAt: NOW - 100, seedNodes: [] })),
        self: { host: self.ip, port: 7626 },
        settings: {
          requiredContactPointNr: 3,
          stableMarginMs: 5000,
          contactWithAllContactPoints: true,
          newClusterEnabled: self.mayForm,
          probingFailureTimeoutMs: 3000,
        },
      }).kind === 'JoinSelf',
  );
  assert.ok(formers.length <= 1, 'Pekko lets at most one contact point form');
  return formers[0];
}

const ip = (i: number) => `198.19.44.${1 + (i % 254)}`;

/**
 * A rolling update with maxSurge 1 and maxUnavailable 0 from 3 join-only pods to 3 that may form: one new pod at a
 * time, an old one removed only when a new one is Ready, and a pod is Ready only once a member. True when it ends
 * with one cluster; false when it stops with no cluster.
 */
function rolling(start: number): boolean {
  let live: Pod[] = [0, 1, 2].map((i) => ({ ip: ip(start + i), mayForm: false }));
  for (let n = 0; n < 3; n++) {
    live = [...live, { ip: ip(start + 3 + n), mayForm: true }];
    // Once a cluster exists every pod joins it (seed nodes win over everything): the rollout goes on.
    if (n === 0 && !founder(live)) return false;
    live = live.slice(1);
  }
  return true;
}

/** Strategy Recreate: the old pods are gone before the new ones start. */
const recreate = (start: number) =>
  founder([0, 1, 2].map((i) => ({ ip: ip(start + 3 + i), mayForm: true }))) !== undefined;

test('a rolling re-enable of formation deadlocks unless the one new pod is the lowest; Recreate always forms', () => {
  let stuck = 0;
  let lucky = 0;
  for (let start = 0; start < 254; start++) {
    assert.ok(recreate(start), `Recreate, pods from ${ip(start + 3)}`);
    if (rolling(start)) lucky++;
    else stuck++;
  }
  // The IP after three others is the lowest in Pekko's order (bytes compared as signed values) only where the round
  // crosses from .127 to .128 (the lowest byte, -128): one position of 254.
  assert.is(stuck, 253, `rolling: ${stuck} of 254 positions stuck`);
  assert.is(lucky, 1);
});

test('the stuck state: every pod keeps probing, the lowest because it may not form, the new one as not lowest', () => {
  const old = [0, 1, 2].map((i) => ({ ip: ip(10 + i), mayForm: false }));
  const fresh = { ip: ip(13), mayForm: true };
  assert.is(founder([...old, fresh]), undefined);
  assert.is(founder([...old.slice(1), fresh, { ip: ip(14), mayForm: true }]), undefined, 'still the lowest is old');
  assert.is(founder([fresh, { ip: ip(14), mayForm: true }, { ip: ip(15), mayForm: true }])?.ip, fresh.ip);
});

test.run();
