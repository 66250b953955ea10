import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NOT_READY_BODY, parseClusterMembers, parseSeedNodes } from '../../core/protocol/pekko.ts';
import { EMPTY_STATE, founded, joined, keyOf, type MembershipState } from '../membership/record.ts';
import { observe } from '../membership/view.ts';
import { type MembershipSnapshot, managementRoute } from './management.ts';

const node = (i: number) => `pekko://A@10.0.0.${i}:17355`;
let state: MembershipState = founded(EMPTY_STATE, { node: node(9), uid: '-2440990093160003086', roles: [] });
for (const i of [10, 2, 3, 4, 5, 6])
  state = (joined(state, { node: node(i), uid: String(i), roles: [] }) as { state: MembershipState }).state;
const self = { node: node(2), uid: '2' };
const view = observe({
  state,
  selfNode: self.node,
  selfKey: keyOf(self),
  suspects: new Set([keyOf({ node: node(3), uid: '3' })]),
});
const member: MembershipSnapshot = { selfNode: self.node, selfUid: self.uid, phase: 'member', claim: true, view };
const joining: MembershipSnapshot = {
  selfNode: self.node,
  selfUid: self.uid,
  phase: 'bootstrapping',
  claim: false,
  view: undefined,
};
const get = (path: string, s: MembershipSnapshot, method = 'GET') =>
  managementRoute({ method, path, body: '' }, () => s);

test('/alive always; /ready only while claiming membership (Pekko text otherwise), so 500 while leaving', () => {
  assert.is(get('/alive', joining).status, 200);
  assert.is(get('/ready', member).status, 200);
  const r = get('/ready', joining);
  assert.equal([r.status, r.body], [500, NOT_READY_BODY]);
  const leaving = observe({
    state,
    selfNode: self.node,
    selfKey: keyOf(self),
    suspects: new Set(),
    selfStatus: 'Leaving',
  });
  const s: MembershipSnapshot = { ...member, phase: 'leaving', claim: false, view: leaving };
  assert.is(get('/ready', s).status, 500);
  const m = parseClusterMembers(get('/cluster/members', s).body);
  assert.ok(m.ok && m.value.members.find((x) => x.node === self.node)?.status === 'Leaving', 'shows itself Leaving');
});

test('/bootstrap/seed-nodes: reachable members, first 5 in Pekko member order, nodeUid a number; [] unless claiming', () => {
  const r = get('/bootstrap/seed-nodes', member);
  assert.is(r.contentType, 'application/json');
  const s = parseSeedNodes(r.body);
  assert.ok(s.ok);
  if (!s.ok) return;
  assert.equal(
    s.value.seedNodes.map((m) => m.node),
    [node(10), node(2), node(4), node(5), node(6)],
  );
  assert.match(r.body, /"nodeUid":10,/);
  assert.is(get('/bootstrap/seed-nodes', joining).body, `{"seedNodes":[],"selfNode":"${node(2)}"}`);
  assert.is(get('/bootstrap/seed-nodes', { ...member, claim: false }).body, `{"seedNodes":[],"selfNode":"${node(2)}"}`);
});

test('/cluster/members: by the whole address string, unreachable observed by self, Pekko leader, oldest', () => {
  const m = parseClusterMembers(get('/cluster/members', member).body);
  assert.ok(m.ok);
  if (!m.ok) return;
  // Whole-string order: "10.0.0.10:" < "10.0.0.2:" ... < "10.0.0.9:" (host-then-port would agree here; see below).
  assert.equal(
    m.value.members.map((x) => x.node),
    [10, 2, 3, 4, 5, 6, 9].map(node),
  );
  assert.equal(m.value.members.find((x) => x.node === node(9))?.nodeUid, '-2440990093160003086');
  assert.equal(m.value.unreachable, [{ node: node(3), observedBy: [node(2)] }]);
  assert.is(m.value.leader, node(10), 'the lowest reachable Up member in Pekko member order (host string)');
  assert.is(m.value.oldest, node(9), 'the founder: upNumber 1');
  assert.equal(m.value.oldestPerRole, { 'dc-default': node(9) });
  assert.is(
    get('/cluster/members', joining).body,
    `{"members":[],"oldestPerRole":{},"selfNode":"${node(2)}","unreachable":[]}`,
    'the same shape as an unjoined Pekko node',
  );
});

test("/cluster/members orders like Pekko Management's capture: the whole string, not host then port", () => {
  // 10.0.0.1:2552 vs 10.0.0.1:17355: host-then-port puts 2552 first; the whole string puts "…:17355" first.
  // 10.0.0.1 vs 10.0.0.10: the whole string puts "10.0.0.10:" first (':' sorts after '0').
  let s = founded(EMPTY_STATE, { node: 'pekko://A@10.0.0.1:2552', uid: '1', roles: [] });
  for (const [n, u] of [
    ['pekko://A@10.0.0.1:17355', '2'],
    ['pekko://A@10.0.0.10:2552', '3'],
  ]) {
    s = (joined(s, { node: n as string, uid: u as string, roles: [] }) as { state: MembershipState }).state;
  }
  const v = observe({
    state: s,
    selfNode: 'pekko://A@10.0.0.1:2552',
    selfKey: 'pekko://A@10.0.0.1:2552#1',
    suspects: new Set(),
  });
  const m = parseClusterMembers(
    get('/cluster/members', { ...member, selfNode: 'pekko://A@10.0.0.1:2552', view: v }).body,
  );
  assert.ok(m.ok);
  if (!m.ok) return;
  assert.equal(
    m.value.members.map((x) => x.node),
    ['pekko://A@10.0.0.10:2552', 'pekko://A@10.0.0.1:17355', 'pekko://A@10.0.0.1:2552'],
  );
  assert.is(m.value.leader, 'pekko://A@10.0.0.1:2552', "Pekko's leader uses the member order: host string, then port");
  // The capture from the local cluster lists 127.1.0.10 before 127.1.0.8: consistent with the whole-string order.
  const capture = readFileSync(
    new URL('../../core/protocol/testdata/pekko-1.1/local-cluster-members-3-up.json', import.meta.url),
    'utf8',
  );
  const c = parseClusterMembers(capture);
  assert.ok(
    c.ok && [...c.value.members.map((x) => x.node)].join() === [...c.value.members.map((x) => x.node)].sort().join(),
  );
});

test('GET /cluster/members/{address}: one member by address or host:port, URL-encoded or not; 404 once gone', () => {
  const enc = encodeURIComponent(node(4));
  for (const path of [`/cluster/members/${enc}`, `/cluster/members/${node(4)}`, '/cluster/members/10.0.0.4:17355']) {
    const r = get(path, member);
    assert.is(r.status, 200, path);
    assert.is(r.body, `{"node":"${node(4)}","nodeUid":"4","roles":["dc-default"],"status":"Up"}`);
  }
  const gone = get(`/cluster/members/${encodeURIComponent(node(7))}`, member);
  assert.equal([gone.status, gone.body], [404, `{"message":"Member [${node(7)}] not found"}`]);
  assert.is(get(`/cluster/members/${enc}`, joining).status, 404, 'not a member: no members to find');
});

test('no write routes (405), whatever the path; unknown paths 404; query strings ignored', () => {
  for (const [method, path] of [
    ['POST', '/cluster/members'],
    ['DELETE', `/cluster/members/${node(4)}`],
    ['PUT', `/cluster/members/${node(4)}`],
    ['PUT', '/cluster'],
    ['POST', '/agent/v1/join'],
  ] as const) {
    assert.is(get(path, member, method).status, 405, `${method} ${path}`);
  }
  assert.is(get('/nope', member).status, 404);
  assert.is(get('/ready?verbose=1', member).status, 200);
});

test('GET /cluster/domain-events (and below it, as Pekko matches the prefix) is the stream, with its query; else 404', () => {
  const paths: string[] = [];
  const stream = (path: string) => {
    paths.push(path);
    return { status: 200, body: '', contentType: 'text/event-stream', open: () => () => {} };
  };
  const route = (path: string, method = 'GET') => managementRoute({ method, path, body: '' }, () => member, stream);
  assert.is(route('/cluster/domain-events?type=MemberUp').contentType, 'text/event-stream');
  assert.is(route('/cluster/domain-events/').status, 200);
  assert.equal(paths, ['/cluster/domain-events?type=MemberUp', '/cluster/domain-events/']);
  assert.is(route('/cluster/domain-eventsx').status, 404);
  assert.is(route('/cluster/domain-events', 'POST').status, 405);
  assert.is(get('/cluster/domain-events', member).status, 404, 'no stream given: not served');
});

test.run();
