import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ScaleDownStatus } from '../../core/api/types.ts';
import type { PodView } from '../status/compute.ts';
import { metaTime } from '../status/conditions.ts';
import { decideScaleDown, deploymentReplicas, type StepInput, waitingFor } from './scale-down.ts';

const T0 = Date.UTC(2026, 0, 1);
const node = (i: number) => `pekko://shop@10.0.0.${i}:17355`;

/** A Deployment whose controller has seen `replicas` and counts `running` non-terminated pods. */
const deployment = (replicas: number, running = replicas, seen = true): V1Deployment => ({
  metadata: { name: 'shop', generation: 7 },
  spec: { replicas, selector: {}, template: {} },
  status: { observedGeneration: seen ? 7 : 6, replicas: running },
});
const pod = (i: number, terminating = false): V1Pod => ({
  metadata: { name: `p${i}`, ...(terminating ? { deletionTimestamp: new Date(T0) } : {}) },
  status: { podIP: `10.0.0.${i}` },
});
/** Pods `ids` each report `members` (statuses by id, default Up). */
const answers = (ids: number[], members: number[], statuses: Record<number, string> = {}): PodView[] =>
  ids.map((i) => ({
    contactPoint: { pod: `p${i}`, host: `10.0.0.${i}`, port: 7626, ready: true },
    answer: {
      selfNode: node(i),
      seedNodes: [],
      members: {
        list: members.map((m) => ({ node: node(m), status: statuses[m] ?? 'Up' })),
        unreachable: [],
        oldest: node(1),
      },
    },
  }));
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function input(over: Partial<StepInput>): StepInput {
  return {
    enabled: true,
    desired: 2,
    deployment: deployment(5),
    pods: range(5).map((i) => pod(i)),
    views: answers(range(5), range(5)),
    nowMs: T0,
    leaveTimeoutMs: 120_000,
    ...over,
  };
}
const rec = (replicas: number, sinceMs = T0, target = 2): ScaleDownStatus => ({
  target,
  replicas,
  since: metaTime(sinceMs),
});

test('replicas rendered: the step recorded, between the target and the Deployment; a scale-up at once', () => {
  const base = { enabled: true, desired: 2, deployment: deployment(5), pods: range(5).map((i) => pod(i)) };
  assert.is(deploymentReplicas(base), 5, 'no step yet: where the Deployment is');
  assert.is(deploymentReplicas({ ...base, recorded: rec(4) }), 4);
  assert.is(deploymentReplicas({ ...base, recorded: rec(1) }), 2, 'never below the target');
  assert.is(deploymentReplicas({ ...base, recorded: rec(6) }), 5, 'never above the Deployment');
  assert.is(deploymentReplicas({ ...base, desired: 7, recorded: rec(4) }), 7, 'scale-up during a scale-down');
  assert.is(deploymentReplicas({ ...base, enabled: false }), 2, 'turned off: spec.replicas');
  assert.is(deploymentReplicas({ enabled: true, desired: 2, pods: [] }), 2, 'no Deployment yet');
});

test('a replica count raised by hand that no pod follows yet is repaired at once, not walked down', () => {
  const pods = range(3).map((i) => pod(i));
  assert.is(deploymentReplicas({ enabled: true, desired: 3, deployment: deployment(7, 3), pods }), 3);
  // Pods that do run are members: those go one at a time.
  assert.is(
    deploymentReplicas({ enabled: true, desired: 3, deployment: deployment(7), pods: range(7).map((i) => pod(i)) }),
    7,
  );
  // A pod deleted during a step is that step's leaver: the Deployment follows it down, no pod more goes.
  const four = [...range(3).map((i) => pod(i)), pod(4, true)];
  assert.is(
    deploymentReplicas({ enabled: true, desired: 2, deployment: deployment(4), pods: four, recorded: rec(4) }),
    3,
  );
});

test('5 to 2: one step, then nothing until the leaver is gone from every answer, then the next step', () => {
  const first = decideScaleDown(input({}));
  assert.equal(first.scaleDown?.replicas, 4);
  assert.equal(first.scaleDown?.target, 2);
  assert.equal(
    first.events.map((e) => e.reason),
    ['ScaleDownStep'],
  );

  const at4 = { recorded: first.scaleDown as ScaleDownStatus, nowMs: T0 + 1000 };
  const hold = (over: Partial<StepInput>, why: string) => {
    const d = decideScaleDown(input({ ...at4, ...over }));
    assert.is(d.scaleDown?.replicas, 4, why);
    assert.equal(d.events, [], why);
    assert.ok(d.requeueAfterMs !== undefined && d.requeueAfterMs <= 2000, why);
    return d.scaleDown?.waitingFor ?? '';
  };
  // The cached Deployment still says 5; then its controller has not seen 4; then the ReplicaSet has not picked.
  assert.match(hold({}, 'cache lags'), 'the Deployment to take replicas 4');
  assert.match(hold({ deployment: deployment(4, 5, false) }, 'not observed'), 'the Deployment');
  assert.match(hold({ deployment: deployment(4, 5) }, 'RS not acted'), 'ReplicaSet');
  // The status counts 4 but the pod cache has not seen the deletion yet: five live pods, still waiting.
  assert.match(hold({ deployment: deployment(4) }, 'pod cache lags'), 'ReplicaSet');
  // p5 terminating: leaving.
  const terminating = [...range(4).map((i) => pod(i)), pod(5, true)];
  assert.match(hold({ deployment: deployment(4), pods: terminating }, 'terminating'), 'pod p5 to finish leaving');
  // p5 gone, but an answer still lists it (Exiting, or Up from before): waiting for the others' view.
  const four = range(4).map((i) => pod(i));
  assert.match(
    hold({ deployment: deployment(4), pods: four, views: answers(range(4), range(5), { 5: 'Exiting' }) }, 'listed'),
    `${node(5)} to be gone`,
  );
  assert.match(hold({ deployment: deployment(4), pods: four, views: answers([1], range(5)) }, 'stale'), node(5));
  // Gone from every answer: the next step.
  const next = decideScaleDown(
    input({ ...at4, deployment: deployment(4), pods: four, views: answers(range(4), range(4)) }),
  );
  assert.is(next.scaleDown?.replicas, 3);
  assert.match(next.events[0]?.note ?? '', 'replicas 4 → 3 (target 2)');
});

test('a member leaving (Leaving) on a live pod also holds the step: never two at once', () => {
  const four = range(4).map((i) => pod(i));
  const w = waitingFor(
    { deployment: deployment(4), pods: four, views: answers(range(4), range(4), { 2: 'Leaving' }) },
    4,
  );
  assert.match(w ?? '', node(2));
});

test('the last step: the record stays until its leaver is gone, then ScaledDown and no record', () => {
  const two = range(2).map((i) => pod(i));
  const wait = decideScaleDown(input({ recorded: rec(2), deployment: deployment(2), pods: [...two, pod(3, true)] }));
  assert.is(wait.scaleDown?.replicas, 2);
  const done = decideScaleDown(
    input({ recorded: rec(2), deployment: deployment(2), pods: two, views: answers([1, 2], [1, 2]) }),
  );
  assert.is(done.scaleDown, undefined);
  assert.equal(
    done.events.map((e) => e.reason),
    ['ScaledDown'],
  );
  assert.equal(decideScaleDown(input({ deployment: deployment(2), pods: two })), { events: [] }, 'no scale-down');
});

test('leaveTimeout: a leaver that never goes (unreachable, not downed) holds the step until the bound, then a Warning', () => {
  const four = range(4).map((i) => pod(i));
  const stuck = { deployment: deployment(4), pods: four, views: answers(range(4), range(5)), recorded: rec(4, T0) };
  const before = decideScaleDown(input({ ...stuck, nowMs: T0 + 119_000 }));
  assert.is(before.scaleDown?.replicas, 4);
  assert.is(before.requeueAfterMs, 1000, 'looks again when the bound falls due');
  const after = decideScaleDown(input({ ...stuck, nowMs: T0 + 121_000 }));
  assert.is(after.scaleDown?.replicas, 3);
  assert.equal(
    after.events.map((e) => [e.type, e.reason]),
    [
      ['Warning', 'LeaveTimeout'],
      ['Normal', 'ScaleDownStep'],
    ],
  );
  assert.match(after.events[0]?.note ?? '', 'waited 121s');
});

test('a scale-up during a scale-down ends it at once; turned off, there is none', () => {
  assert.equal(decideScaleDown(input({ desired: 6, recorded: rec(4), deployment: deployment(4) })), { events: [] });
  assert.equal(decideScaleDown(input({ enabled: false })), { events: [] });
});

test('the step in progress keeps its start time across passes (the bound counts from the step)', () => {
  const d = decideScaleDown(input({ recorded: rec(4, T0 - 50_000), nowMs: T0 }));
  assert.is(d.scaleDown?.since, metaTime(T0 - 50_000));
});

test.run();
