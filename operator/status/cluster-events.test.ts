import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterEvents } from './cluster-events.ts';
import type { Observation } from './compute.ts';

const obs = (o: Partial<Observation>): Observation => ({
  phase: 'Formed',
  message: '',
  contactPoints: [],
  readyContactPoints: 0,
  clusters: [],
  conditions: [],
  ...o,
});
const seed = 'pekko://A@10.0.0.1:17355';

test('Forming to Formed: one Formed event naming the seed', () => {
  const e = clusterEvents({ phase: 'Forming' }, obs({ phase: 'Formed', seedNode: seed, members: 3 }));
  assert.equal(
    e.map((x) => x.reason),
    ['Formed'],
  );
  assert.match(e[0]?.note ?? '', seed);
});

test('an unchanged Formed status emits nothing (idle resync)', () => {
  assert.equal(
    clusterEvents({ phase: 'Formed', members: 3 }, obs({ phase: 'Formed', seedNode: seed, members: 3 })),
    [],
  );
});

test('a split is a Warning naming the clusters; the same split again emits nothing', () => {
  const split = obs({
    phase: 'Degraded',
    message: 'pods report 2 different clusters: X and Y',
    clusters: [
      { seed: 'X', members: [], pods: [], unreachable: [] },
      { seed: 'Y', members: [], pods: [], unreachable: [] },
    ],
  });
  assert.equal(
    clusterEvents({ phase: 'Formed' }, split).map((x) => [x.type, x.reason]),
    [['Warning', 'SplitDetected']],
  );
  assert.equal(clusterEvents({ phase: 'Degraded', message: split.message }, split), []);
});

test('fewer members: MemberLost; Degraded back to Formed: Recovered', () => {
  assert.equal(
    clusterEvents({ phase: 'Formed', members: 3 }, obs({ phase: 'Formed', members: 2, seedNode: seed })).map(
      (x) => x.reason,
    ),
    ['MemberLost'],
  );
  assert.equal(
    clusterEvents({ phase: 'Degraded', members: 2 }, obs({ phase: 'Formed', members: 2, seedNode: seed })).map(
      (x) => x.reason,
    ),
    ['Recovered'],
  );
});

test('a scale-down to the new replica count is no MemberLost; fewer members than desired is', () => {
  const before = { phase: 'Formed' as const, members: 5 };
  assert.equal(clusterEvents(before, obs({ phase: 'Formed', members: 3, seedNode: seed }), 3), []);
  assert.equal(
    clusterEvents(before, obs({ phase: 'Formed', members: 2, seedNode: seed }), 3).map((x) => x.reason),
    ['MemberLost'],
  );
});

test.run();
