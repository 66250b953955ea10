import { Ajv } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { membershipStatusSchema } from '../../core/api/membership.ts';
import type { SchemaNode } from '../../core/api/schema.ts';
import {
  challenged,
  EMPTY_STATE,
  founded,
  joined,
  keyOf,
  left,
  type MembershipState,
  readState,
  refuted,
  removed,
  toStatus,
  withDcRole,
} from './record.ts';

const n = (i: number) => ({
  node: `pekko://A@10.0.0.${i}:17355`,
  uid: String(1000 + i),
  pod: `p${i}`,
  roles: ['backend'],
});
const k = (i: number) => keyOf(n(i));
function cluster(size: number): MembershipState {
  let s = founded(EMPTY_STATE, n(1));
  for (let i = 2; i <= size; i++) s = (joined(s, n(i)) as { state: MembershipState }).state;
  return s;
}

test('found and join: one incarnation, upNumbers from the counter, every write one version', () => {
  const s = cluster(3);
  assert.is(s.clusterId, k(1));
  assert.equal(
    s.members.map((m) => [m.node.slice(-14), m.upNumber, m.status, m.pod]),
    [
      ['10.0.0.1:17355', 1, 'Up', 'p1'],
      ['10.0.0.2:17355', 2, 'Up', 'p2'],
      ['10.0.0.3:17355', 3, 'Up', 'p3'],
    ],
  );
  assert.equal([s.version, s.nextUpNumber], [3, 4]);
  assert.is(joined(s, n(2)), undefined, 'already a member: nothing to write');
});

test('a restarted container (same pod, new uid) replaces its old entry and gets a new upNumber', () => {
  const s = cluster(3);
  const again = joined(s, { ...n(2), uid: '77' });
  assert.ok(again);
  if (!again) return;
  assert.equal(
    again.replaced.map((m) => m.uid),
    ['1002'],
  );
  assert.equal(
    again.state.members.map((m) => [m.uid, m.upNumber]),
    [
      ['1001', 1],
      ['1003', 3],
      ['77', 4],
    ],
  );
});

test('roles keep the configured order, dc-default last unless configured', () => {
  assert.equal(withDcRole(['b', 'a', 'b']), ['b', 'a', 'dc-default']);
  assert.equal(withDcRole(['dc-default', 'z']), ['dc-default', 'z']);
  assert.equal(cluster(1).members[0]?.roles, ['backend', 'dc-default']);
});

test('leave, challenge, refute, remove: a removal needs the same challenge seq', () => {
  const s = cluster(3);
  const c = challenged(s, [{ key: k(3), reason: 'not ready', podState: 'S1' }], n(1).node);
  assert.ok(c);
  if (!c) return;
  const ch = c.members[2]?.challenge;
  assert.equal(ch, { seq: 1, by: n(1).node, reason: 'not ready', podState: 'S1' });
  assert.is(challenged(c, [{ key: k(3), reason: 'x' }], n(1).node), undefined, 'already challenged');
  assert.is(removed(c, [{ key: k(3), seq: 99 }]), undefined, 'another challenge: no removal');
  const r = refuted(c, k(3));
  assert.ok(r);
  if (!r) return;
  assert.is(r.members[2]?.challenge, undefined);
  assert.is(r.members[2]?.answered, 'S1', 'the answered pod state is kept');
  assert.is(removed(r, [{ key: k(3), seq: 1 }]), undefined, 'refuted: the old seq removes nobody');
  const again = challenged(r, [{ key: k(3), reason: 'pod gone', podState: 'S2' }], n(2).node) as MembershipState;
  assert.is(again.members[2]?.challenge?.seq, 2, 'a new challenge has a new seq');
  const gone = removed(again, [{ key: k(3), seq: 2 }]);
  assert.equal(
    gone?.removed.map((m) => m.uid),
    ['1003'],
  );
  assert.equal(
    left(s, k(2))?.members.map((m) => m.uid),
    ['1001', '1003'],
  );
  assert.is(left(s, 'nobody'), undefined);
});

test('readState: absent status is empty; unknown statuses kept; unreadable entries kept verbatim; bad shapes refused', () => {
  assert.equal(readState(undefined), { ok: true, state: EMPTY_STATE });
  const written = toStatus(cluster(2));
  const raw = {
    ...written,
    members: [
      ...(written.members as object[]),
      { node: 'pekko://A@10.0.0.9:17355', uid: '9', status: 'SomethingNew', upNumber: 7, roles: ['x', 1] },
      { node: 'not an address', uid: '5' },
    ],
  };
  const r = readState(JSON.parse(JSON.stringify(raw)));
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(
    r.state.members.map((m) => m.status),
    ['Up', 'Up', 'SomethingNew'],
  );
  assert.equal(r.state.members[2]?.roles, ['x']);
  assert.is(r.state.nextUpNumber, 8, 'never below the highest upNumber + 1');
  assert.equal(r.state.unreadable, [{ node: 'not an address', uid: '5' }]);
  const back = toStatus(left(r.state, k(2)) as MembershipState);
  assert.equal((back.members as object[]).at(-1), { node: 'not an address', uid: '5' }, 'written back as it was');
  assert.equal(readState({ members: 'x' }), { ok: false, error: 'status.members is not an array' });
  assert.equal(readState([]), { ok: false, error: 'status is not an object' });
});

test('founding over an old incarnation (cold start) keeps the challenge counter and drops the old members', () => {
  const old = challenged(
    cluster(2),
    [
      { key: k(1), reason: 'cold start' },
      { key: k(2), reason: 'cold start' },
    ],
    'x',
  ) as MembershipState;
  const s = founded(old, n(5));
  assert.equal([s.clusterId, s.members.length, s.nextUpNumber, s.nextChallenge], [k(5), 1, 2, 3]);
  assert.is(s.version, old.version + 1);
});

/**
 * The schema as the API server applies it to a write: a field an object does not declare is pruned (dropped without
 * an error) unless the object keeps unknown fields. Closed here, so that such a field fails instead.
 */
function closed(node: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...node };
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, closed(v)]));
    if (!node['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  }
  if (node.items) out.items = closed(node.items);
  return out;
}

test("every state the agents write fits the ClusterMembership CRD's status schema, nothing pruned (core/api/membership.ts)", () => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  ajv.addKeyword('x-kubernetes-preserve-unknown-fields');
  ajv.addFormat('int64', true);
  const check = ajv.compile(closed(membershipStatusSchema));
  const s = cluster(3);
  const c = challenged(s, [{ key: k(3), reason: 'not ready', podState: 'S1' }], n(1).node) as MembershipState;
  const r = refuted(c, k(3)) as MembershipState;
  const again = challenged(r, [{ key: k(2), reason: 'pod gone', podState: 'S2' }], n(1).node) as MembershipState;
  const read = readState({
    ...toStatus(again),
    members: [...(toStatus(again).members as unknown[]), { node: 'x', v2: 1 }],
  });
  assert.ok(read.ok);
  if (!read.ok) return;
  for (const state of [founded(EMPTY_STATE, n(1)), s, c, r, again, read.state]) {
    const status = toStatus(state);
    assert.ok(check(status), JSON.stringify(check.errors));
  }
  assert.equal((toStatus(read.state).members as unknown[]).at(-1), { node: 'x', v2: 1 }, 'an unreadable entry kept');
  assert.not.ok(check({ ...toStatus(s), extra: 1 }), 'the check does catch an undeclared field');
});

test.run();
