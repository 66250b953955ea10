import type { V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeApiError } from '../errors.ts';
import type { LeaseApi } from '../kube/client.ts';
import { FakeClock, flush } from './clock.ts';
import { LeaderElector } from './leader.ts';

const silent = pino({ level: 'silent' });

/** An in-memory Lease store with the API server's optimistic concurrency (409 on a stale resourceVersion). */
class MemoryLeases implements LeaseApi {
  lease: V1Lease | undefined;
  private rv = 0;
  /** While true every call fails like an unreachable API server. */
  down = false;
  private check(): void {
    if (this.down) throw new KubeApiError('connect ECONNREFUSED', undefined);
  }
  async read(): Promise<V1Lease | undefined> {
    this.check();
    return this.lease ? structuredClone(this.lease) : undefined;
  }
  async create(lease: V1Lease): Promise<V1Lease> {
    this.check();
    if (this.lease) throw new KubeApiError('exists', 409);
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
  async replace(lease: V1Lease): Promise<V1Lease> {
    this.check();
    if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
      throw new KubeApiError('conflict', 409);
    }
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
  get holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }
}

function candidate(id: string, store: LeaseApi, clock: FakeClock, log: string[]) {
  return new LeaderElector({
    namespace: 'ops',
    name: 'pekko-bootstrap-operator',
    identity: id,
    leaseApi: store,
    clock,
    log: silent,
    random: () => 0,
    onStartedLeading: () => log.push(`${id} leads`),
    onStoppedLeading: (reason) => log.push(`${id} lost: ${reason}`),
  });
}

test('of two candidates exactly one leads, and it keeps renewing', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  const b = candidate('b', store, clock, log);
  a.start();
  b.start();
  await clock.advance(60_000);
  assert.equal(log, ['a leads']);
  assert.ok(a.isLeader());
  assert.not.ok(b.isLeader());
  assert.is(store.holder, 'a');
  await a.release();
  await b.release();
});

test('when the leader dies, the follower takes over after the lease duration', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  const b = candidate('b', store, clock, log);
  a.start();
  await flush();
  b.start();
  await clock.advance(10_000);
  const diedAt = clock.now();
  // A SIGKILL: no release, the timers just stop.
  (a as unknown as { stopped: boolean }).stopped = true;
  let tookOver = 0;
  for (let i = 0; i < 400 && !b.isLeader(); i++) {
    await clock.advance(100);
    tookOver = clock.now() - diedAt;
  }
  assert.ok(b.isLeader());
  assert.ok(tookOver >= 13_000 && tookOver <= 15_000 + 4_400 + 2_000, `took over after ${tookOver} ms`);
  assert.is(store.lease?.spec?.leaseTransitions, 1);
  await b.release();
});

test('release hands over at once', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  const b = candidate('b', store, clock, log);
  a.start();
  await flush();
  b.start();
  await clock.advance(5_000);
  await a.release();
  assert.is(store.holder, '');
  await clock.advance(4_400); // one follower retry period with jitter
  assert.ok(b.isLeader());
  assert.equal(log, ['a leads', 'b leads'], 'release is not reported as a loss');
  await b.release();
});

test('a leader that cannot renew for the renew deadline stops leading', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  a.start();
  await clock.advance(3_000);
  assert.ok(a.isLeader());
  store.down = true;
  await clock.advance(8_000);
  assert.ok(a.isLeader(), 'still within the renew deadline');
  await clock.advance(4_000);
  assert.not.ok(a.isLeader());
  assert.equal(log, ['a leads', 'a lost: could not renew the lease within the renew deadline']);
});

test('a short API outage within the renew deadline keeps the leader', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  a.start();
  await clock.advance(3_000);
  store.down = true;
  await clock.advance(5_000);
  store.down = false;
  await clock.advance(30_000);
  assert.ok(a.isLeader());
  assert.equal(log, ['a leads']);
  await a.release();
});

test('a leader that finds another holder steps down at once', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeases();
  const log: string[] = [];
  const a = candidate('a', store, clock, log);
  a.start();
  await clock.advance(3_000);
  const lease = store.lease as V1Lease;
  await store.replace({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } });
  await clock.advance(2_000);
  assert.not.ok(a.isLeader());
  assert.equal(log, ['a leads', 'a lost: another candidate holds the lease']);
});

test.run();
