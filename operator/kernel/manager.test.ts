// The wiring main uses between leader election, the caches and the controllers: with the real LeaderElector,
// Controller and WorkQueue on a fake clock; `exit` records instead of ending the process.
import type { V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import { MemoryLeases, never } from '../kube/fake-leases.ts';
import { ExponentialRateLimiter } from './backoff.ts';
import { Controller } from './controller.ts';
import { LeaderElector } from './leader.ts';
import { Manager } from './manager.ts';
import { WorkQueue } from './queue.ts';

const silent = pino({ level: 'silent' });

/** Caches that sync when the test says so. */
class Caches {
  synced = false;
  private waiters: (() => void)[] = [];
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
  unsynced(): string[] {
    return this.synced ? [] : ['pods/shop'];
  }
  sync(): void {
    this.synced = true;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** One replica as main wires it: elector -> manager -> a controller whose reconciles never finish. */
function replica(clock: FakeClock, store: MemoryLeases, caches = new Caches()) {
  const exits: { code: number; at: number }[] = [];
  let reconciling = 0;
  const controller = new Controller({
    name: 'clusterbootstrap',
    queue: new WorkQueue(clock, new ExponentialRateLimiter({ baseMs: 200, maxMs: 1000, jitter: 0 })),
    concurrency: 1,
    log: silent,
    clock,
    reconcile: async () => {
      reconciling++;
      await never(); // a reconcile stuck on a hung API call
      return undefined;
    },
  });
  let elector: LeaderElector | undefined;
  const manager = new Manager({
    caches,
    controllers: [controller],
    clock,
    log: silent,
    cacheSyncTimeoutMs: 120_000,
    exit: (code) => exits.push({ code, at: clock.now() }),
    release: () => elector?.release() ?? Promise.resolve(),
  });
  elector = new LeaderElector({
    namespace: 'ops',
    name: 'pekko-bootstrap-operator',
    identity: 'a',
    leaseApi: store,
    clock,
    log: silent,
    random: () => 0,
    onStartedLeading: () => void manager.lead(),
    onStoppedLeading: (reason) => manager.lost(reason),
  });
  elector.start();
  controller.enqueue('shop/demo');
  return { exits, caches, elector, reconciling: () => reconciling };
}

test('lease lost while a reconcile and a Lease call hang: the process exits 1 by the renew deadline', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const caches = new Caches();
  caches.sync();
  const r = replica(clock, store, caches);
  await clock.advance(3_000);
  assert.is(r.reconciling(), 1, 'the controller runs, its reconcile hangs');
  store.before = never;
  const lastRenew = store.renewedAt;
  for (let i = 0; i < 300 && r.exits.length === 0; i++) await clock.advance(100);
  assert.is(r.exits.length, 1, 'exited');
  assert.is(r.exits[0]?.code, 1);
  const after = (r.exits[0]?.at ?? 0) - lastRenew;
  assert.ok(after >= 10_000 && after <= 11_000, `exit ${after} ms after the last renewal`);
});

test('another holder: the process exits 1 at the next renewal round', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const caches = new Caches();
  caches.sync();
  const r = replica(clock, store, caches);
  await clock.advance(3_000);
  const lease = store.lease as V1Lease;
  store.store({ ...lease, spec: { ...lease.spec, holderIdentity: 'b' } });
  const at = clock.now();
  for (let i = 0; i < 50 && r.exits.length === 0; i++) await clock.advance(100);
  assert.equal(
    r.exits.map((e) => e.code),
    [1],
  );
  assert.ok((r.exits[0]?.at ?? 0) - at <= 2_000);
});

test('caches that do not sync within the bound: the lease is released, then the process exits 1', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const r = replica(clock, store);
  await clock.advance(3_000);
  assert.is(store.holder, 'a', 'leads, waiting for its caches');
  await clock.advance(110_000);
  assert.equal(r.exits, [], 'still within the bound');
  await clock.advance(10_000);
  assert.equal(
    r.exits.map((e) => e.code),
    [1],
  );
  assert.is(store.holder, '', 'released before exiting, so another replica takes over at once');
  assert.is(r.reconciling(), 0, 'the controllers never started');
});

test('caches that sync within the bound: the controllers start, nothing exits', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const r = replica(clock, store);
  await clock.advance(60_000);
  assert.is(r.reconciling(), 0);
  r.caches.sync();
  await clock.advance(200_000);
  assert.is(r.reconciling(), 1);
  assert.equal(r.exits, []);
  assert.is(store.holder, 'a');
});

test.run();
