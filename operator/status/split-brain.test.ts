// status.splitBrainResolver and LeaseReady from the Lease as read: whose it is, who holds it, since when, and the
// Events a change deserves. Pure: no API, no clock.
import type { V1Condition, V1Lease, V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import type { SplitBrainResolverStatus } from '../../core/api/split-brain.ts';
import type { ClusterBootstrapSpec } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { type LeaseSeen, leaseExpiry, observeSplitBrain, parseHolder } from './split-brain.ts';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const CB_UID = 'cb-uid-1';
const POD_A = { metadata: { name: 'shop-a' }, status: { podIP: '10.0.0.1' } } as V1Pod;
const POD_B = { metadata: { name: 'shop-b' }, status: { podIP: '10.0.0.2' } } as V1Pod;
const HOLDER_A = 'shop@10.0.0.1:17355';

/** `null`: no splitBrainResolver. */
function resolved(sbr: Record<string, unknown> | null = { strategy: 'lease-majority' }) {
  const spec = { image: 'a:1', ...(sbr ? { splitBrainResolver: sbr } : {}) };
  const cb = { metadata: { name: 'shop', namespace: 'ns' }, spec };
  const v = validate({ ...cb, spec: cb.spec as ClusterBootstrapSpec });
  if (!v.spec) throw new Error(v.errors.join('; '));
  return resolve(cb, v.spec);
}

/** A Lease as the API returns it: the operator's (labels, owner) until Pekko writes it, then bare. */
function lease(o: { uid?: string; holder?: string; at?: number; ours?: boolean; labels?: Record<string, string> }) {
  return {
    metadata: {
      name: 'shop-pekko-sbr',
      uid: o.uid ?? 'lease-1',
      creationTimestamp: new Date(NOW - 60_000),
      ...(o.ours ? { labels: { 'app.kubernetes.io/managed-by': 'pekko-bootstrap-operator' } } : {}),
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.ours
        ? {
            ownerReferences: [
              { apiVersion: 'x/v1', kind: 'ClusterBootstrap', name: 'shop', uid: CB_UID, controller: true },
            ],
          }
        : {}),
    },
    spec: { holderIdentity: o.holder ?? '', acquireTime: new Date(o.at ?? NOW - 1000) },
  } as V1Lease;
}

function observe(seen: LeaseSeen | undefined, previous?: SplitBrainResolverStatus, conditions?: V1Condition[]) {
  return observeSplitBrain({
    r: resolved(),
    cbUid: CB_UID,
    previous,
    previousConditions: conditions,
    ...(seen ? { seen } : {}),
    pods: [POD_A, POD_B],
    nowMs: NOW,
  });
}

const recorded = (holder?: string, since?: string): SplitBrainResolverStatus => ({
  strategy: 'lease-majority',
  lease: {
    name: 'shop-pekko-sbr',
    uid: 'lease-1',
    ...(holder ? { holder, holderSince: since ?? '2026-05-01T11:00:00Z' } : {}),
  },
});
const leaseReady = (reason: string, status = 'True') =>
  [{ type: 'LeaseReady', status, reason, message: '' }] as V1Condition[];

test('no resolver: no status field, no condition; another strategy: the strategy only', () => {
  const none = observeSplitBrain({
    r: resolved(null),
    cbUid: CB_UID,
    previous: undefined,
    previousConditions: undefined,
    pods: [],
    nowMs: NOW,
  });
  assert.equal(none, { events: [] });
  const km = observeSplitBrain({
    r: resolved({ strategy: 'keep-majority' }),
    cbUid: CB_UID,
    previous: undefined,
    previousConditions: undefined,
    pods: [],
    nowMs: NOW,
  });
  assert.equal(km, { status: { strategy: 'keep-majority' }, events: [] });
});

test('the Lease just created: free, its uid recorded', () => {
  const o = observe({ lease: lease({ ours: true }), created: true });
  assert.equal(o.status, { strategy: 'lease-majority', lease: { name: 'shop-pekko-sbr', uid: 'lease-1' } });
  assert.equal([o.condition?.status, o.condition?.reason], ['True', 'Free']);
  assert.equal(o.events, []);
});

test('after Pekko wrote it (labels gone) the recorded uid says it is ours; a member holds it: pod, since, Event', () => {
  const at = Date.parse('2026-05-01T11:59:58Z');
  const o = observe({ lease: lease({ holder: HOLDER_A, at }) }, recorded());
  assert.equal(o.status?.lease, {
    name: 'shop-pekko-sbr',
    uid: 'lease-1',
    holder: HOLDER_A,
    holderPod: 'shop-a',
    holderSince: '2026-05-01T11:59:58Z',
  });
  assert.equal([o.condition?.status, o.condition?.reason], ['True', 'Held']);
  assert.match(o.condition?.message ?? '', 'held by shop@10.0.0.1:17355 (pod shop-a)');
  assert.equal(o.events, [
    {
      type: 'Normal',
      reason: 'LeaseHolderChanged',
      note: 'Lease shop-pekko-sbr: holder nobody → shop@10.0.0.1:17355 (pod shop-a)',
    },
  ]);
  // Pekko renews acquireTime every heartbeat: since stays what it was first seen as, and no new Event.
  const later = observe({ lease: lease({ holder: HOLDER_A, at: NOW }) }, o.status, leaseReady('Held'));
  assert.is(later.status?.lease?.holderSince, '2026-05-01T11:59:58Z');
  assert.equal(later.events, []);
  // released
  const free = observe({ lease: lease({}) }, o.status, leaseReady('Held'));
  assert.equal(free.status?.lease, { name: 'shop-pekko-sbr', uid: 'lease-1' });
  assert.equal(
    free.events.map((e) => e.note),
    ['Lease shop-pekko-sbr: holder shop@10.0.0.1:17355 (pod shop-a) → nobody'],
  );
});

test("a Lease that is not the operator's: Conflict, with the fix, once as an Event; never adopted", () => {
  for (const l of [
    lease({ labels: { 'app.kubernetes.io/managed-by': 'helm' } }),
    lease({}), // bare, and no uid recorded: could be anybody's
    lease({ uid: 'other', holder: HOLDER_A }),
  ]) {
    const o = observe({ lease: l }, l.metadata?.uid === 'other' ? recorded() : undefined);
    assert.equal([o.condition?.status, o.condition?.reason], ['False', 'Conflict']);
    assert.match(o.condition?.message ?? '', /is not the one the operator created for this ClusterBootstrap/);
    assert.match(o.condition?.message ?? '', /Set spec\.splitBrainResolver\.leaseMajority\.leaseName to a free name/);
    assert.is(o.status?.lease?.holder, undefined, 'a foreign holder is not reported as ours');
    assert.equal(
      o.events.map((e) => e.reason),
      ['LeaseConflict'],
    );
    const again = observe({ lease: l }, o.status, leaseReady('Conflict', 'False'));
    assert.equal(again.events, [], 'the Event comes once');
  }
  assert.match(
    observe({ lease: lease({ labels: { 'app.kubernetes.io/managed-by': 'helm' } }) }).condition?.message ?? '',
    'managed by helm',
  );
});

test('the holder names a pod that is gone: HolderGone until Pekko would let another take it, then Free', () => {
  const at = NOW - 30_000;
  const o = observe({ lease: lease({ holder: 'shop@10.0.0.9:17355', at }) }, recorded());
  assert.equal([o.condition?.status, o.condition?.reason], ['False', 'HolderGone']);
  assert.match(
    o.condition?.message ?? '',
    'shop@10.0.0.9:17355, whose pod no longer exists (no pod of this cluster has IP 10.0.0.9)',
  );
  // 120s timeout, renewal every 12s: Pekko takes it 96s after the last renewal
  assert.match(
    o.condition?.message ?? '',
    'from 2026-05-01T12:01:06Z (last renewed 2026-05-01T11:59:30Z, heartbeatTimeout 120s)',
  );
  assert.equal(
    o.events.map((e) => e.reason),
    ['LeaseHolderGone', 'LeaseHolderChanged'],
  );
  assert.is(o.status?.lease?.holderPod, undefined);
  const expired = observe({ lease: lease({ holder: 'shop@10.0.0.9:17355', at: NOW - 97_000 }) }, recorded());
  assert.equal([expired.condition?.status, expired.condition?.reason], ['True', 'Free']);
  assert.match(expired.condition?.message ?? '', 'takes it over at its next decision');
  assert.is(leaseExpiry(0, '30s'), 20_000, 'interval max(5s, 3s) = 5s');
});

test('a holder that is no address of this cluster: HolderUnknown', () => {
  for (const holder of ['other@10.0.0.1:17355', 'shop@10.0.0.1:2552', 'not an address']) {
    const o = observe({ lease: lease({ holder }) }, recorded());
    assert.equal([o.condition?.status, o.condition?.reason], ['False', 'HolderUnknown'], holder);
    assert.match(o.condition?.message ?? '', 'which is no member address of this cluster (shop@<pod IP>:17355)');
  }
});

test('deleted by hand and created again: an Event, and Recreated until a member takes it', () => {
  const o = observe({ lease: lease({ uid: 'lease-2', ours: true }), created: true }, recorded(HOLDER_A));
  assert.equal([o.condition?.status, o.condition?.reason], ['True', 'Recreated']);
  assert.is(o.status?.lease?.uid, 'lease-2');
  assert.equal(
    o.events.map((e) => e.reason),
    ['LeaseRecreated', 'LeaseHolderChanged'],
  );
  assert.match(
    o.events[0]?.note ?? '',
    'Lease shop-pekko-sbr (uid lease-1) was deleted; the operator created it again (uid lease-2)',
  );
  const still = observe({ lease: lease({ uid: 'lease-2' }) }, o.status, leaseReady('Recreated'));
  assert.is(still.condition?.reason, 'Recreated');
  assert.equal(still.events, []);
  const taken = observe({ lease: lease({ uid: 'lease-2', holder: HOLDER_A }) }, o.status, leaseReady('Recreated'));
  assert.is(taken.condition?.reason, 'Held');
  // the first creation is no re-creation
  assert.is(observe({ lease: lease({ ours: true }), created: true }).condition?.reason, 'Free');
});

test('missing: paused, or the create refused; the recorded uid is kept', () => {
  const paused = observe({ paused: true }, recorded());
  assert.equal([paused.condition?.status, paused.condition?.reason], ['False', 'LeaseMissing']);
  assert.match(paused.condition?.message ?? '', 'the resource is paused, so the operator does not create it');
  assert.is(paused.status?.lease?.uid, 'lease-1');
  const refused = observe({ error: 'create Lease ns/shop-pekko-sbr: 403 forbidden' });
  assert.match(refused.condition?.message ?? '', 'could not create it: create Lease ns/shop-pekko-sbr: 403 forbidden');
  assert.match(refused.condition?.message ?? '', 'the pods may not create it (their Role grants get and update only)');
});

test('parseHolder: Pekko writes system@host:port', () => {
  assert.equal(parseHolder('shop@10.0.0.1:17355'), { system: 'shop', host: '10.0.0.1', port: 17355 });
  assert.equal(parseHolder('shop@[fd00::1]:17355'), { system: 'shop', host: 'fd00::1', port: 17355 });
  assert.is(parseHolder('pekko://shop@10.0.0.1'), undefined);
});

test.run();
