import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseClusterMembers, parseSeedNodes } from '../../core/protocol/index.ts';
import { clusterAnswers, nodeUid, type PodAddress } from './answers.ts';

const pod = (ip: string): PodAddress => ({ ip, port: 7626, cluster: 'ns/a', system: 'a', remotingPort: 17355 });

test('every pod of a cluster reports the same Up members and itself as selfNode, in Pekko 1.1 form', () => {
  const a = clusterAnswers(['127.1.0.9', '127.1.0.10', '127.1.0.8'].map(pod));
  assert.ok(a);
  assert.equal(a.members, ['pekko://a@127.1.0.10:17355', 'pekko://a@127.1.0.8:17355', 'pekko://a@127.1.0.9:17355']);
  const seeds = parseSeedNodes(a.byIp.get('127.1.0.9')?.seedNodes);
  assert.ok(seeds.ok);
  if (seeds.ok) {
    assert.is(seeds.value.selfNode, 'pekko://a@127.1.0.9:17355');
    assert.equal(
      seeds.value.seedNodes.map((m) => m.node),
      a.members,
    );
  }
  const members = parseClusterMembers(a.byIp.get('127.1.0.10')?.members);
  assert.ok(members.ok);
  if (members.ok) {
    assert.is(members.value.selfNode, 'pekko://a@127.1.0.10:17355');
    assert.equal(
      members.value.members.map((m) => [m.node, m.status]),
      a.members.map((n) => [n, 'Up']),
    );
    assert.is(members.value.oldest, 'pekko://a@127.1.0.8:17355');
    assert.equal(members.value.unreachable, []);
  }
});

test('the oldest is the lowest contact point by signed IP bytes (198 < 127), not by text', () => {
  const a = clusterAnswers([pod('127.26.0.5'), pod('198.18.0.7')]);
  assert.is(a?.oldest, 'pekko://a@198.18.0.7:17355');
});

test('at most five seed nodes; no answers without pods', () => {
  const a = clusterAnswers(Array.from({ length: 7 }, (_, i) => pod(`10.0.0.${i + 1}`)));
  const seeds = parseSeedNodes(a?.byIp.get('10.0.0.1')?.seedNodes);
  assert.ok(seeds.ok && seeds.value.seedNodes.length === 5);
  assert.is(clusterAnswers([]), undefined);
});

test('node uids are stable signed 64-bit decimals', () => {
  const u = nodeUid('pekko://a@10.0.0.1:17355');
  assert.is(u, nodeUid('pekko://a@10.0.0.1:17355'));
  assert.ok(/^-?\d+$/.test(u));
  assert.ok(BigInt(u) >= -(2n ** 63n) && BigInt(u) < 2n ** 63n);
  assert.is.not(u, nodeUid('pekko://a@10.0.0.2:17355'));
});

test.run();
