import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { desiredStatus } from './desired.ts';
import { resourcesReady } from './resources-ready.ts';

const stored: ClusterBootstrapStatus = {
  phase: 'Formed',
  message: 'one cluster of 3 Up members formed around pekko://demo@10.0.0.1:17355',
  readyContactPoints: 3,
  contactPoints: [{ pod: 'demo-a', host: '10.0.0.1', port: 7626, ready: true }],
  seedNode: 'pekko://demo@10.0.0.1:17355',
  members: 3,
  selector: 'app=demo,app.kubernetes.io/instance=demo',
  requiredContactPoints: 3,
};
const base = { previous: stored, generation: 2, nowMs: 0, resourcesReady: resourcesReady({ sharedRbacReady: true }) };

test('an observation replaces every observed field: one it leaves out is removed', () => {
  const s = desiredStatus({
    ...base,
    observed: {
      status: { phase: 'Forming', message: 'no cluster yet', readyContactPoints: 0, contactPoints: [] },
      conditions: [],
    },
  });
  assert.equal([s.phase, s.message, s.readyContactPoints, s.contactPoints], ['Forming', 'no cluster yet', 0, []]);
  assert.ok(!('seedNode' in s) && !('members' in s), 'no cluster: no seed, no member count');
  assert.is(s.requiredContactPoints, 3, 'fixed at the first reconcile, kept');
});

test('without an observation (invalid spec) the stored observed fields, selector and required count are kept', () => {
  const s = desiredStatus({ ...base, resourcesReady: resourcesReady({ invalidSpec: 'spec.replicas: must be >= 0' }) });
  for (const f of ['phase', 'message', 'readyContactPoints', 'contactPoints', 'seedNode', 'members'] as const) {
    assert.equal(s[f], stored[f], f);
  }
  assert.equal([s.selector, s.requiredContactPoints, s.observedGeneration], [stored.selector, 3, 2]);
});

test('an invalid spec: Ready is False for this generation with the reason and the field; older conditions keep theirs', () => {
  const formedAt1 = desiredStatus({
    ...base,
    generation: 1,
    observed: {
      status: { phase: 'Formed', message: 'formed', readyContactPoints: 3, contactPoints: [] },
      conditions: [
        { type: 'ClusterFormed', status: 'True', reason: 'Formed', message: 'formed' },
        { type: 'Ready', status: 'True', reason: 'Formed', message: 'formed' },
      ],
    },
  });
  const message = 'spec.template.spec.containers[0].image: the app container runs spec.image; set spec.image instead';
  const s = desiredStatus({
    ...base,
    previous: formedAt1,
    generation: 2,
    nowMs: 60_000,
    resourcesReady: resourcesReady({ invalidSpec: message }),
  });
  const byType = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c]));
  for (const type of ['ResourcesReady', 'Ready']) {
    assert.equal(
      [byType[type]?.status, byType[type]?.reason, byType[type]?.observedGeneration],
      ['False', 'InvalidSpec', 2],
    );
    assert.match(byType[type]?.message ?? '', 'spec.template.spec.containers[0].image');
  }
  assert.equal([byType.ClusterFormed?.status, byType.ClusterFormed?.observedGeneration], ['True', 1]);
  assert.is(s.observedGeneration, 2);
});

test('ResourcesReady comes first; an observed condition of that type cannot replace it', () => {
  const s = desiredStatus({
    ...base,
    observed: {
      status: { phase: 'Pending', message: '', readyContactPoints: 0, contactPoints: [] },
      conditions: [
        { type: 'ResourcesReady', status: 'False', reason: 'Conflict', message: 'not the observer’s to say' },
        { type: 'Ready', status: 'False', reason: 'Pending', message: '' },
      ],
    },
  });
  assert.equal(
    s.conditions?.map((c) => [c.type, c.reason]),
    [
      ['ResourcesReady', 'Applied'],
      ['Ready', 'Pending'],
    ],
  );
});

test.run();
