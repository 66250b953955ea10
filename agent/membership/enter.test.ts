// Entering the record after Pekko's JoinOtherSeedNodes decision: a node joins the recorded incarnation only when it
// is the cluster its seed nodes belong to. It refuses another cluster's record: none yet, another actor system's, or
// one its seed nodes are not members of (a selector that also finds another resource's pods hands out that cluster's
// seed nodes). The store is an in-memory stand-in with resourceVersion semantics.
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { type EnterDeps, joinThroughSeeds } from './enter.ts';
import { EMPTY_STATE, founded, joined, type MembershipState } from './record.ts';
import type { Fetched, RecordStore } from './store.ts';

const node = (system: string, i: number) => ({
  node: `pekko://${system}@10.0.0.${i}:17355`,
  uid: String(i),
  roles: [],
});

/** One record in memory: get() returns it, put() writes when the resourceVersion read is still current. */
function memoryStore(state: MembershipState) {
  let rv = 1;
  let current = state;
  const fetched = (): Fetched => ({ state: current, resourceVersion: String(rv), objectUid: 'u', sentAt: 0 });
  const store = {
    puts: 0,
    get: async () => fetched(),
    put: async (read: Fetched, next: MembershipState): Promise<Fetched | 'conflict'> => {
      store.puts++;
      if (read.resourceVersion !== String(rv)) return 'conflict';
      rv++;
      current = next;
      return fetched();
    },
    state: () => current,
  };
  return store;
}

function deps(store: ReturnType<typeof memoryStore>, system = 'Shop'): EnterDeps {
  return {
    clock: new FakeClock(),
    random: () => 0.5,
    logger: pino({ level: 'silent' }),
    store: store as unknown as RecordStore,
    self: node(system, 9),
    system,
    removalMarginMs: 17_000,
    deadlineMs: 60_000,
    sawChallenge: () => {},
    challengeSeenAt: () => undefined,
    active: () => true,
  };
}

const shop = (() => {
  const s = founded(EMPTY_STATE, node('Shop', 1));
  return (joined(s, node('Shop', 2)) as { state: MembershipState }).state;
})();

test("another cluster's record is refused: none yet, another actor system's, or one the seed nodes are not in", async () => {
  const cases: Array<[string, MembershipState, string[], RegExp]> = [
    ['no cluster yet', EMPTY_STATE, [node('Shop', 1).node], /holds no cluster yet/],
    ['another actor system', founded(EMPTY_STATE, node('Other', 1)), [node('Other', 1).node], /another actor system/],
    ["the seed nodes' cluster is not the recorded one", shop, [node('Shop', 7).node], /none of the seed nodes/],
  ];
  for (const [name, state, seeds, why] of cases) {
    const store = memoryStore(state);
    const r = await joinThroughSeeds(deps(store), seeds);
    assert.is(r.ok, false, name);
    assert.match(r.ok ? '' : r.why, why, name);
    assert.is(store.puts, 0, `${name}: nothing written`);
    assert.is(store.state(), state, name);
  }
});

test('the cluster one of the seed nodes belongs to is joined, in one conditional write, with the next upNumber', async () => {
  const store = memoryStore(shop);
  const r = await joinThroughSeeds(deps(store), [node('Shop', 7).node, node('Shop', 2).node]);
  assert.ok(r.ok);
  assert.is(store.puts, 1);
  assert.equal(
    store.state().members.map((m) => [m.node, m.upNumber]),
    [
      [node('Shop', 1).node, 1],
      [node('Shop', 2).node, 2],
      [node('Shop', 9).node, 3],
    ],
  );
});

test.run();
