// The formation decisions as pure functions, on a fake clock: the first formation recorded, every member gone
// counted from when it started, the cold start only after the bound and only while no member answers, Manual and
// newClusterEnabled=false saying what to do, the cold start ending when one cluster formed.
import type { V1Deployment } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import { type ClusterBootstrapSpec, FORMATION_ANNOTATION, type FormationStatus } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import type { Observed } from '../status/observer.ts';
import {
  coldStartPending,
  decideFormation,
  type FormationInput,
  formationOf,
  hasFormed,
  recordedFormation,
  withFormationProblem,
} from './formation.ts';
import type { MembersGone } from './members-gone.ts';

const SEED = 'pekko://shop@10.0.0.1:17355';
const resolved = (spec: Partial<ClusterBootstrapSpec> = {}) => {
  const v = validate({ metadata: { name: 'shop', namespace: 'ns' }, spec: { image: 'app:1', ...spec } });
  if (!v.spec) throw new Error(v.errors.join('; '));
  return resolve({ metadata: { name: 'shop', namespace: 'ns' } }, v.spec);
};
const GONE: MembersGone = { gone: true, running: ['p1', 'p2', 'p3'], joinOnly: ['p1', 'p2', 'p3'] };
const HERE: MembersGone = { gone: false, why: 'pods p1 report a cluster' };
const JOIN_ONLY = { revision: 2, hash: 'h', newClusterEnabled: false };
const FORMED: FormationStatus = { formedAt: '2026-01-01T00:00:00Z', seedNode: SEED };

function input(clock: FakeClock, over: Partial<FormationInput> = {}): FormationInput {
  return {
    nowMs: clock.now(),
    r: resolved(),
    recorded: FORMED,
    revision: JOIN_ONLY,
    observed: { phase: 'Forming' },
    gone: GONE,
    ...over,
  };
}

/** Runs decideFormation as the reconcile would: each pass reads what the previous one recorded. */
function passes(clock: FakeClock, over: Partial<FormationInput> = {}) {
  let recorded = 'recorded' in over ? over.recorded : FORMED;
  return (step: Partial<FormationInput> = {}) => {
    const out = decideFormation(input(clock, { ...over, recorded, ...step }));
    recorded = out.formation;
    return out;
  };
}

test('the first Formed is recorded with its time and seed; later passes keep it', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const out = decideFormation(
    input(clock, { recorded: undefined, revision: undefined, observed: { phase: 'Formed', seedNode: SEED } }),
  );
  assert.equal(out.formation, { formedAt: '2026-01-01T00:00:00Z', seedNode: SEED });
  await clock.advance(60_000);
  const later = decideFormation(
    input(clock, { recorded: out.formation, observed: { phase: 'Formed', seedNode: 'pekko://shop@10.0.0.9:17355' } }),
  );
  assert.equal(later.formation, out.formation, 'the seed it formed around stays');
  assert.equal(later.events, []);
});

test('never formed: nothing recorded, no problem, whatever the pods say', async () => {
  const clock = new FakeClock();
  const out = decideFormation(
    input(clock, { recorded: undefined, revision: { revision: 1, hash: 'h', newClusterEnabled: true } }),
  );
  assert.equal(out, { events: [] });
});

test('every member gone: counted from the first pass that saw it; the cold start comes only after coldStartAfter', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const pass = passes(clock);
  let out = pass();
  assert.is(out.formation?.membersGoneSince, '2026-01-01T00:00:00Z');
  assert.is(out.problem?.reason, 'MembersGone');
  assert.match(out.problem?.message ?? '', `every member of the cluster formed around ${SEED} is gone since`);
  assert.match(out.problem?.message ?? '', 'forms a new cluster (a cold start) at 2026-01-01T00:01:00Z');
  assert.is(out.requeueAfterMs, 60_000);
  assert.equal(out.events, []);
  await clock.advance(59_999);
  out = pass();
  assert.is(out.problem?.reason, 'MembersGone', 'one millisecond short');
  assert.is(out.requeueAfterMs, 1);
  await clock.advance(1);
  out = pass();
  assert.is(out.problem?.reason, 'ColdStart');
  assert.is(out.formation?.coldStart?.startedAt, '2026-01-01T00:01:00Z');
  assert.match(out.formation?.coldStart?.cause ?? '', 'none a member and none answering as one');
  assert.match(out.formation?.coldStart?.cause ?? '', 'for 60s');
  assert.is(out.formation?.membersGoneSince, undefined);
  assert.equal(
    out.events.map((e) => `${e.type} ${e.reason}`),
    ['Warning ColdStart'],
  );
  assert.match(out.events[0]?.note ?? '', 'every pod replaced at once with new-cluster-enabled=on');
  assert.ok(coldStartPending(out.formation));
});

test('a member answering resets the count: never a cold start while one answers', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const pass = passes(clock);
  pass();
  await clock.advance(50_000);
  let out = pass({ gone: HERE });
  assert.is(out.formation?.membersGoneSince, undefined);
  assert.is(out.problem, undefined);
  await clock.advance(50_000);
  out = pass();
  assert.is(out.problem?.reason, 'MembersGone', 'counted again from now');
  await clock.advance(59_000);
  assert.is(pass().problem?.reason, 'MembersGone');
  for (let i = 0; i < 10; i++) {
    await clock.advance(60_000);
    assert.is(pass({ gone: HERE }).formation?.coldStart, undefined);
  }
});

test('pods that may all form are left to form on their own: no cold start, no problem', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const pass = passes(clock);
  const canForm: MembersGone = { gone: true, running: ['p1', 'p2'], joinOnly: [] };
  pass({ gone: canForm });
  await clock.advance(600_000);
  const out = pass({ gone: canForm });
  assert.is(out.problem, undefined);
  assert.is(out.formation?.coldStart, undefined);
  assert.ok(out.formation?.membersGoneSince, 'the fact is still recorded');
});

test('Manual: no cold start; after the bound a Warning and a message with the command to run', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const pass = passes(clock, { r: resolved({ formation: { coldStart: 'Manual', coldStartAfter: '30s' } }) });
  assert.is(pass().problem?.reason, 'MembersGone');
  await clock.advance(30_000);
  const out = pass();
  assert.is(out.problem?.reason, 'ColdStartRequired');
  assert.is(out.formation?.coldStart, undefined);
  assert.match(out.problem?.message ?? '', 'spec.formation.coldStart is Manual');
  assert.match(out.problem?.message ?? '', 'make sure no member of the old cluster runs anywhere');
  assert.match(
    out.problem?.message ?? '',
    `kubectl patch cb/shop -n ns --type merge -p '{"spec":{"formation":{"coldStart":"Automatic"}}}'`,
  );
  assert.equal(
    out.events.map((e) => `${e.type} ${e.reason}`),
    ['Warning ColdStartRequired'],
  );
  await clock.advance(3_600_000);
  assert.is(pass().formation?.coldStart, undefined, 'still none an hour later');
});

test('newClusterEnabled false in the spec: no cold start, the message says to set it to true', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const pass = passes(clock, { r: resolved({ bootstrap: { newClusterEnabled: false } }) });
  pass();
  await clock.advance(60_000);
  const out = pass();
  assert.is(out.problem?.reason, 'ColdStartRequired');
  assert.match(out.problem?.message ?? '', 'spec.bootstrap.newClusterEnabled is false');
  assert.match(out.problem?.message ?? '', '"newClusterEnabled":true');
  assert.is(out.formation?.coldStart, undefined);
});

test('paused: counted, but no cold start until unpaused', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const pass = passes(clock, { r: resolved({ paused: true }) });
  pass();
  await clock.advance(120_000);
  const out = pass();
  assert.is(out.formation?.coldStart, undefined);
  assert.match(out.problem?.message ?? '', 'no cold start while spec.paused is true');
  assert.is(pass({ r: resolved() }).problem?.reason, 'ColdStart', 'at once when unpaused: the bound has passed');
});

test('a cold start under way: its revision recorded once started, then completed by the first Formed', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const started: FormationStatus = { ...FORMED, coldStart: { startedAt: '2026-01-01T00:00:00Z', cause: 'x' } };
  const pass = passes(clock, { recorded: started });
  let out = pass();
  assert.is(out.formation?.coldStart?.revision, undefined, 'the join-only revision is not the cold start');
  assert.is(out.problem?.reason, 'ColdStart');
  assert.match(out.problem?.message ?? '', 'the next revision hands every pod new-cluster-enabled=on');
  out = pass({ revision: { revision: 3, hash: 'h', newClusterEnabled: true } });
  assert.is(out.formation?.coldStart?.revision, 3);
  assert.match(out.problem?.message ?? '', 'revision 3 hands every pod');
  await clock.advance(42_000);
  out = pass({ observed: { phase: 'Formed', seedNode: 'pekko://shop@10.0.0.7:17355' } });
  assert.equal(out.formation, {
    formedAt: '2026-01-01T00:00:42Z',
    seedNode: 'pekko://shop@10.0.0.7:17355',
    coldStart: { startedAt: '2026-01-01T00:00:00Z', cause: 'x', revision: 3, completedAt: '2026-01-01T00:00:42Z' },
  });
  assert.equal(
    out.events.map((e) => `${e.type} ${e.reason}`),
    ['Normal ColdStartCompleted'],
  );
  assert.match(out.events[0]?.note ?? '', '42s after it started');
  assert.not.ok(coldStartPending(out.formation));
  assert.is(out.problem, undefined);
});

test('records: the status first, the annotation when the status is lost or older; the revision remembers formation', async () => {
  const d = (v: unknown): V1Deployment => ({
    metadata: { annotations: { [FORMATION_ANNOTATION]: JSON.stringify(v) } },
  });
  assert.equal(recordedFormation(undefined, d(FORMED)), FORMED);
  assert.equal(recordedFormation(FORMED, undefined), FORMED);
  const newer = { formedAt: '2026-02-01T00:00:00Z', seedNode: 'pekko://shop@10.0.0.5:17355' };
  assert.equal(recordedFormation({ ...FORMED, membersGoneSince: 'x' }, d(newer)), { ...newer, membersGoneSince: 'x' });
  assert.equal(recordedFormation(newer, d(FORMED)), newer);
  for (const bad of ['{', '"text"', '{"formedAt":"never"}', '{}']) {
    assert.is(formationOf({ metadata: { annotations: { [FORMATION_ANNOTATION]: bad } } }), undefined, bad);
  }
  const r = resolved();
  assert.ok(hasFormed(undefined, JOIN_ONLY, r), 'only formation hands new-cluster-enabled=off');
  assert.not.ok(hasFormed(undefined, { revision: 1, hash: 'h', newClusterEnabled: true }, r));
  assert.not.ok(hasFormed(undefined, { revision: 1, hash: 'h' }, r));
  assert.not.ok(hasFormed(undefined, JOIN_ONLY, resolved({ bootstrap: { newClusterEnabled: false } })));
});

test('records lost with the cluster down: the revision alone still leads to a cold start', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const pass = passes(clock, { recorded: undefined });
  const first = pass();
  assert.match(first.problem?.message ?? '', 'every member of the cluster is gone');
  await clock.advance(60_000);
  assert.is(pass().problem?.reason, 'ColdStart');
});

test('withFormationProblem: message, ClusterFormed and Ready say it; the phase and other conditions stay', async () => {
  const o: Observed = {
    status: { phase: 'Forming', message: 'no node reports a cluster yet', contactPoints: [], readyContactPoints: 0 },
    conditions: [
      { type: 'ContactPointsDiscovered', status: 'True', reason: 'Discovered', message: '3 of 3' },
      { type: 'ClusterFormed', status: 'False', reason: 'Forming', message: 'no node reports a cluster yet' },
      { type: 'Ready', status: 'False', reason: 'Forming', message: 'no node reports a cluster yet' },
    ],
    events: [],
    requeueAfterMs: 2000,
  };
  assert.is(withFormationProblem(o, undefined), o);
  const out = withFormationProblem(o, { reason: 'ColdStartRequired', message: 'do this' });
  assert.is(out.status.phase, 'Forming');
  assert.is(out.status.message, 'do this');
  assert.equal(
    out.conditions.map((c) => `${c.type} ${c.status} ${c.reason} ${c.message}`),
    [
      'ContactPointsDiscovered True Discovered 3 of 3',
      'ClusterFormed False ColdStartRequired do this',
      'Ready False ColdStartRequired do this',
    ],
  );
});

test.run();
