import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  canonicalUid,
  formatClusterMembers,
  formatSeedNodes,
  MAX_BODY_CHARS,
  NOT_READY_BODY,
  parseClusterMembers,
  parseSeedNodes,
} from './pekko.ts';

// The spec's examples, verbatim.
const SEEDS = `{"selfNode":"pekko://Appka@10.244.0.7:17355",
 "seedNodes":[{"node":"pekko://Appka@10.244.0.5:17355","nodeUid":-2440990093160003086,"status":"Up","roles":["dc-default"]}]}`;
const MEMBERS = `{"selfNode":"pekko://Appka@10.244.0.5:17355",
 "members":[{"node":"pekko://Appka@10.244.0.5:17355","nodeUid":"-2440990093160003086","status":"Up","roles":["dc-default"]}],
 "unreachable":[{"node":"pekko://Appka@10.244.0.6:17355","observedBy":["pekko://Appka@10.244.0.5:17355"]}],
 "leader":"pekko://Appka@10.244.0.5:17355","oldest":"pekko://Appka@10.244.0.5:17355",
 "oldestPerRole":{"dc-default":"pekko://Appka@10.244.0.5:17355"}}`;

test('seed-nodes: the spec example, nodeUid kept to the last digit', () => {
  const r = parseSeedNodes(SEEDS);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.value.selfNode, 'pekko://Appka@10.244.0.7:17355');
  assert.equal(r.value.seedNodes, [
    { node: 'pekko://Appka@10.244.0.5:17355', nodeUid: '-2440990093160003086', status: 'Up', roles: ['dc-default'] },
  ]);
  // A plain JSON.parse would have rounded it.
  assert.is.not(String(JSON.parse(SEEDS).seedNodes[0].nodeUid), '-2440990093160003086');
});

test('seed-nodes: serialised back with nodeUid as a raw number, every digit kept', () => {
  const r = parseSeedNodes(SEEDS);
  assert.ok(r.ok);
  if (!r.ok) return;
  const out = formatSeedNodes(r.value);
  assert.match(out, /"nodeUid":-2440990093160003086[,}]/);
  assert.equal(parseSeedNodes(out), r);
});

const TESTDATA = new URL('./testdata/pekko-1.1/', import.meta.url);
const captured = readdirSync(TESTDATA).filter((f) => f.endsWith('.json'));

test('answers of real Pekko 1.1 nodes: parsed, and written back byte for byte', () => {
  assert.ok(captured.length >= 10, `testdata present (${captured.length})`);
  for (const file of captured) {
    const body = readFileSync(new URL(file, TESTDATA), 'utf8').trim();
    if (file.includes('seed-nodes')) {
      const r = parseSeedNodes(body);
      assert.ok(r.ok, file);
      if (r.ok) assert.is(formatSeedNodes(r.value), body, file);
    } else {
      const r = parseClusterMembers(body);
      assert.ok(r.ok, file);
      if (r.ok) assert.is(formatClusterMembers(r.value), body, file);
    }
  }
  const ready = readFileSync(new URL('ready-not-member.txt', TESTDATA), 'utf8').trim();
  assert.is(NOT_READY_BODY, ready);
});

test('seed-nodes: empty before joining; extremes of int64; extra fields ignored', () => {
  assert.equal(parseSeedNodes('{"selfNode":"pekko://A@1.2.3.4:1","seedNodes":[]}'), {
    ok: true,
    value: { selfNode: 'pekko://A@1.2.3.4:1', seedNodes: [] },
  });
  const body = (uid: string) =>
    `{"selfNode":"pekko://A@1.2.3.4:1","extra":1,"seedNodes":[{"node":"pekko://A@1.2.3.4:1","nodeUid":${uid},"status":"Up","roles":[],"x":{}}]}`;
  for (const uid of ['9223372036854775807', '-9223372036854775808', '0', '7']) {
    const r = parseSeedNodes(body(uid));
    assert.ok(r.ok, uid);
    if (r.ok) assert.is(r.value.seedNodes[0]?.nodeUid, uid);
    if (r.ok) assert.ok(formatSeedNodes(r.value).includes(`"nodeUid":${uid},`));
  }
  for (const uid of ['9223372036854775808', '1.5', '1e3', '"abc"', 'null', 'true']) {
    assert.is(parseSeedNodes(body(uid)).ok, false, uid);
  }
});

test('members: the spec example, nodeUid as a string both ways', () => {
  const r = parseClusterMembers(MEMBERS);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.value.members[0]?.nodeUid, '-2440990093160003086');
  assert.equal(r.value.unreachable, [
    { node: 'pekko://Appka@10.244.0.6:17355', observedBy: ['pekko://Appka@10.244.0.5:17355'] },
  ]);
  assert.is(r.value.leader, 'pekko://Appka@10.244.0.5:17355');
  assert.equal(r.value.oldestPerRole, { 'dc-default': 'pekko://Appka@10.244.0.5:17355' });
  assert.equal(parseClusterMembers(formatClusterMembers(r.value)), r);
});

test('members: leader and oldest left out when unknown; a numeric nodeUid is tolerated', () => {
  const body =
    '{"selfNode":"pekko://A@1.2.3.4:1","members":[{"node":"pekko://A@1.2.3.4:1","nodeUid":12,"status":"Joining","roles":["dc-default"]}],"unreachable":[],"oldestPerRole":{}}';
  const r = parseClusterMembers(body);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.value.leader, undefined);
  assert.is(r.value.members[0]?.nodeUid, '12');
  const out = formatClusterMembers(r.value);
  assert.not.match(out, /leader|oldest"/);
  assert.match(out, /"nodeUid":"12"/);
});

test('malformed answers give an error message and never throw', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['<html><body><h1>502 Bad Gateway</h1></body></html>', /not JSON \(looks like HTML\)/],
    ['', /empty body/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","seedNodes":[{"node":"pekko://A@1.2.3.4:1","nodeUid":12', /not JSON/],
    ['null', /not a JSON object/],
    ['[]', /not a JSON object/],
    ['{"seedNodes":[]}', /selfNode/],
    ['{"selfNode":"pekko://A@1.2.3.4:1"}', /seedNodes is not an array/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","seedNodes":{}}', /seedNodes is not an array/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","seedNodes":[1]}', /seedNodes\[0\] is not an object/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","seedNodes":[{"node":"x","nodeUid":1,"status":"Up"}]}', /seedNodes\[0\]\.node/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","seedNodes":[{"node":"pekko://A@h:1","nodeUid":1,"status":3}]}', /status/],
    [
      '{"selfNode":"pekko://A@1.2.3.4:1","seedNodes":[{"node":"pekko://A@h:1","nodeUid":1,"status":"Up","roles":"a"}]}',
      /roles/,
    ],
    ['{"selfNode":7,"seedNodes":[]}', /selfNode/],
    [42, /not text/],
    [undefined, /not text/],
    ['x'.repeat(MAX_BODY_CHARS + 1), /larger than/],
  ];
  for (const [body, error] of cases) {
    const r = parseSeedNodes(body);
    assert.is(r.ok, false, String(body).slice(0, 80));
    if (!r.ok) assert.match(r.error, error);
  }
  const members: Array<[string, RegExp]> = [
    ['{"selfNode":"pekko://A@1.2.3.4:1","members":[],"unreachable":{}}', /unreachable is not an array/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","members":[],"leader":"nope"}', /leader/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","members":[],"oldestPerRole":[]}', /oldestPerRole/],
    ['{"selfNode":"pekko://A@1.2.3.4:1","members":[{"node":"pekko://A@h:1","nodeUid":"1x","status":"Up"}]}', /nodeUid/],
  ];
  for (const [body, error] of members) {
    const r = parseClusterMembers(body);
    assert.is(r.ok, false, body);
    if (!r.ok) assert.match(r.error, error);
  }
});

test('members: a missing observedBy or roles is tolerated as []', () => {
  const r = parseClusterMembers(
    '{"selfNode":"pekko://A@1.2.3.4:1","members":[{"node":"pekko://A@h:1","nodeUid":"1","status":"Up"}],"unreachable":[{"node":"pekko://A@h:1"}]}',
  );
  assert.ok(r.ok);
  if (r.ok) assert.equal([r.value.unreachable[0]?.observedBy, r.value.members[0]?.roles], [[], []]);
});

test('canonicalUid accepts only 64-bit integers', () => {
  assert.is(canonicalUid('-0'), '0');
  assert.is(canonicalUid('007'), '7');
  assert.is(canonicalUid('9223372036854775808'), undefined);
  assert.is(canonicalUid('+1'), undefined);
  assert.is(canonicalUid(''), undefined);
});

test.run();
