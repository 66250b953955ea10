import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NOT_READY_BODY, parseClusterMembers, parseSeedNodes } from '../../core/protocol/pekko.ts';
import { foundView, withJoiner } from '../membership/view.ts';
import { type MembershipSnapshot, managementRoute } from './management.ts';

const node = (i: number) => `pekko://A@10.0.0.${i}:17355`;
let view = foundView({ node: node(9), uid: '-2440990093160003086' }, []);
for (const i of [10, 2, 3, 4, 5, 6]) view = withJoiner(view, { node: node(i), uid: String(i) }, []);
const member: MembershipSnapshot = {
  selfNode: node(2),
  selfUid: '2',
  phase: 'member',
  view,
  unreachable: view.members.filter((m) => m.node === node(3)),
};
const joining: MembershipSnapshot = {
  selfNode: node(2),
  selfUid: '2',
  phase: 'bootstrapping',
  view: undefined,
  unreachable: [],
};
const get = (path: string, s: MembershipSnapshot, method = 'GET') =>
  managementRoute({ method, path, body: '' }, () => s);

test('/alive always, /ready only as an Up member (Pekko text otherwise)', () => {
  assert.is(get('/alive', joining).status, 200);
  assert.is(get('/ready', member).status, 200);
  const r = get('/ready', joining);
  assert.equal([r.status, r.body], [500, NOT_READY_BODY]);
  assert.is(get('/ready', { ...member, selfUid: '999' }).status, 500, 'another incarnation is not this node');
});

test('/bootstrap/seed-nodes: reachable members, first 5 by host string, nodeUid a number; [] before joining', () => {
  const r = get('/bootstrap/seed-nodes', member);
  assert.is(r.contentType, 'application/json');
  const s = parseSeedNodes(r.body);
  assert.ok(s.ok);
  if (!s.ok) return;
  assert.equal(
    s.value.seedNodes.map((m) => m.node),
    [node(10), node(2), node(4), node(5), node(6)],
  );
  assert.match(r.body, /"nodeUid":-2440990093160003086|"nodeUid":10,/);
  assert.is(get('/bootstrap/seed-nodes', joining).body, `{"seedNodes":[],"selfNode":"${node(2)}"}`);
});

test('/cluster/members: all members by address, unreachable observed by self, leader and oldest', () => {
  const m = parseClusterMembers(get('/cluster/members', member).body);
  assert.ok(m.ok);
  if (!m.ok) return;
  assert.equal(
    m.value.members.map((x) => x.node),
    [10, 2, 3, 4, 5, 6, 9].map(node),
  );
  assert.equal(m.value.members.find((x) => x.node === node(9))?.nodeUid, '-2440990093160003086');
  assert.equal(m.value.unreachable, [{ node: node(3), observedBy: [node(2)] }]);
  assert.is(m.value.leader, node(9));
  assert.is(m.value.oldest, node(9));
  assert.equal(m.value.oldestPerRole, { 'dc-default': node(9) });
  assert.is(
    get('/cluster/members', joining).body,
    `{"members":[],"oldestPerRole":{},"selfNode":"${node(2)}","unreachable":[]}`,
    'the same shape as an unjoined Pekko node',
  );
});

test('no write routes; unknown paths 404; query strings ignored', () => {
  assert.is(get('/cluster/members', member, 'POST').status, 405);
  assert.is(get('/cluster/members/x', member, 'DELETE').status, 405);
  assert.is(get('/nope', member).status, 404);
  assert.is(get('/ready?verbose=1', member).status, 200);
});

test.run();
