import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeAnswer, PodView } from '../status/compute.ts';
import { type CostInput, POD_DELETION_COST, planDeletionCosts, WRITTEN_COST } from './deletion-cost.ts';

const node = (i: number) => `pekko://shop@10.0.0.${i}:17355`;

/** Pod i: IP 10.0.0.i, its app container started at minute `started`. */
function pod(i: number, started: number, annotations: Record<string, string> = {}, extra: Partial<V1Pod> = {}): V1Pod {
  return {
    metadata: {
      name: `p${i}`,
      uid: `u${i}`,
      annotations,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0)) as unknown as Date,
    },
    status: {
      podIP: `10.0.0.${i}`,
      containerStatuses: [
        {
          name: 'app',
          image: 'x',
          imageID: '',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: new Date(Date.UTC(2026, 0, 1, 0, started)) } },
        },
      ],
    },
    ...extra,
  };
}

/** Every pod answers that all of `members` are Up, with `oldest`. */
function views(ids: number[], members: number[], oldest: number, statuses: Record<number, string> = {}): PodView[] {
  return ids.map((i) => {
    const answer: NodeAnswer = {
      selfNode: node(i),
      seedNodes: [node(oldest)],
      members: {
        list: members.map((m) => ({ node: node(m), status: statuses[m] ?? 'Up' })),
        unreachable: [],
        oldest: node(oldest),
      },
    };
    return { contactPoint: { pod: `p${i}`, host: `10.0.0.${i}`, port: 7626, ready: true, node: node(i) }, answer };
  });
}

const input = (over: Partial<CostInput>): CostInput => ({
  views: [],
  pods: [],
  memberContainer: 'app',
  enabled: true,
  ...over,
});
const set = (c: number) => ({ [POD_DELETION_COST]: String(c), [WRITTEN_COST]: String(c) });

test('the oldest gets 10000, then the next two by when their member container started; the rest nothing', () => {
  // p4 is the oldest member though its container started last (a founder is the lowest address, not the first pod).
  const pods = [pod(1, 3), pod(2, 1), pod(3, 2), pod(4, 9), pod(5, 5)];
  const plan = planDeletionCosts(input({ pods, views: views([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 4) }));
  assert.equal(
    plan.ranked.map((m) => [m.pod, m.cost]),
    [
      ['p4', 10000],
      ['p2', 9900],
      ['p3', 9800],
    ],
  );
  assert.equal(plan.patches, [
    { pod: 'p2', annotations: set(9900) },
    { pod: 'p3', annotations: set(9800) },
    { pod: 'p4', annotations: set(10000) },
  ]);
});

test('nothing to patch when every pod already carries its cost: no patch per pass', () => {
  const pods = [pod(1, 1, set(10000)), pod(2, 2, set(9900)), pod(3, 3, set(9800)), pod(4, 4)];
  const plan = planDeletionCosts(input({ pods, views: views([1, 2, 3, 4], [1, 2, 3, 4], 1) }));
  assert.equal(plan.patches, []);
  assert.is(plan.ranked.length, 3);
});

test('a restarted container rejoined as the youngest member: it falls out of the top 3, back to the template value', () => {
  // p3 was third; its container restarted at minute 20.
  const pods = [pod(1, 1, set(10000)), pod(2, 2, set(9900)), pod(3, 20, set(9800)), pod(4, 4)];
  const plan = planDeletionCosts(input({ pods, views: views([1, 2, 3, 4], [1, 2, 3, 4], 1), templateCost: '-5' }));
  assert.equal(plan.patches, [
    { pod: 'p3', annotations: { [POD_DELETION_COST]: '-5', [WRITTEN_COST]: null } },
    { pod: 'p4', annotations: set(9800) },
  ]);
});

test("the user's own values: the operator's wins on the 3 oldest, the template's or a hand-set one stays elsewhere", () => {
  const own = { [POD_DELETION_COST]: '-100' };
  const pods = [
    pod(1, 1, own),
    pod(2, 2, own),
    pod(3, 3, own),
    pod(4, 4, own),
    pod(5, 5, { [POD_DELETION_COST]: '7' }),
  ];
  const plan = planDeletionCosts(
    input({ pods, views: views([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 1), templateCost: '-100' }),
  );
  assert.equal(
    plan.patches.map((p) => p.pod),
    ['p1', 'p2', 'p3'],
  );
  // A value the operator wrote but someone changed by hand since is not taken back; only its marker goes.
  const changed = [
    pod(1, 1, set(10000)),
    pod(2, 2, set(9900)),
    pod(3, 30, { ...set(9800), [POD_DELETION_COST]: '42' }),
  ];
  const p2 = planDeletionCosts(input({ pods: [...changed, pod(4, 4)], views: views([1, 2, 3, 4], [1, 2, 3, 4], 1) }));
  assert.equal(p2.patches.find((p) => p.pod === 'p3')?.annotations, { [WRITTEN_COST]: null });
});

test('a pod that answers garbage or nothing keeps its cost; the ranking still counts it from the others', () => {
  const pods = [pod(1, 1), pod(2, 2), pod(3, 3), pod(4, 4)];
  const v = views([1, 2, 3, 4], [1, 2, 3, 4], 1);
  const garbage = v.map((x) =>
    x.contactPoint.pod === 'p1' ? { ...x, error: '/cluster/members: body is not JSON (looks like HTML)' } : x,
  );
  const silent = v.map((x) => (x.contactPoint.pod === 'p2' ? { contactPoint: x.contactPoint } : x));
  for (const views of [garbage, silent]) {
    const plan = planDeletionCosts(input({ pods, views }));
    assert.equal(
      plan.ranked.map((m) => m.pod),
      ['p1', 'p2', 'p3'],
    );
    assert.ok(!plan.patches.some((p) => p.pod === (views === garbage ? 'p1' : 'p2')), 'the quiet pod is not patched');
  }
});

test('leaving members are not ranked, whatever a lagging answer says; the next one moves up', () => {
  const pods = [pod(1, 1, set(10000)), pod(2, 2, set(9900)), pod(3, 3, set(9800)), pod(4, 4)];
  const v = views([1, 2, 3, 4], [1, 2, 3, 4], 1, { 3: 'Leaving' });
  const lagging = views([4], [1, 2, 3, 4], 1);
  const plan = planDeletionCosts(input({ pods, views: [...v.slice(0, 3), ...lagging] }));
  assert.equal(
    plan.ranked.map((m) => m.pod),
    ['p1', 'p2', 'p4'],
  );
});

test('no single cluster, or no oldest: nothing is ranked and every value stays', () => {
  const pods = [pod(1, 1, set(10000)), pod(2, 2, set(9900)), pod(3, 3)];
  const split = [...views([1, 2], [1, 2], 1), ...views([3], [3], 3)];
  const s = planDeletionCosts(input({ pods, views: split }));
  assert.equal([s.ranked, s.patches], [[], []]);
  assert.match(s.unknown ?? '', 'more than one cluster');
  const noOldest = views([1, 2], [1, 2], 1).map((v) => ({
    ...v,
    answer: { ...(v.answer as NodeAnswer), members: { list: [], unreachable: [] } },
  }));
  assert.match(planDeletionCosts(input({ pods, views: noOldest })).unknown ?? '', 'oldest');
  assert.match(planDeletionCosts(input({ pods, views: [] })).unknown ?? '', 'no pod answered');
});

test("turned off: the operator's own values go back to the template's, others stay, nothing is ranked", () => {
  const pods = [pod(1, 1, set(10000)), pod(2, 2, { [POD_DELETION_COST]: '5' }), pod(3, 3)];
  const plan = planDeletionCosts(input({ pods, views: [], enabled: false, templateCost: '5' }));
  assert.equal(plan.patches, [{ pod: 'p1', annotations: { [POD_DELETION_COST]: '5', [WRITTEN_COST]: null } }]);
  assert.equal(plan.ranked, []);
});

test('a terminating pod is never patched', () => {
  const gone = pod(1, 1, {}, {});
  gone.metadata = { ...gone.metadata, deletionTimestamp: new Date() };
  const plan = planDeletionCosts(input({ pods: [gone, pod(2, 2)], views: views([1, 2], [1, 2], 1) }));
  assert.ok(!plan.patches.some((p) => p.pod === 'p1'));
});

test.run();
