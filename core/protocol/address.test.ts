import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type ContactPointKey,
  compareContactPoints,
  compareIpBytes,
  compareNodeAddressStrings,
  formatNodeAddress,
  ipBytes,
  lowestContactPoint,
  nodeAddress,
  parseNodeAddress,
} from './address.ts';

test('parses and formats pekko addresses, IPv6 in brackets', () => {
  const a = parseNodeAddress('pekko://Appka@10.244.0.7:17355');
  assert.equal(a, { ok: true, value: { protocol: 'pekko', system: 'Appka', host: '10.244.0.7', port: 17355 } });
  const v6 = parseNodeAddress('pekko://Sys@[fd00::1]:2552');
  assert.ok(v6.ok);
  if (v6.ok) {
    assert.is(v6.value.host, 'fd00::1');
    assert.is(formatNodeAddress(v6.value), 'pekko://Sys@[fd00::1]:2552');
  }
  assert.is(nodeAddress('S', '10.0.0.1', 17355), 'pekko://S@10.0.0.1:17355');
  assert.is(nodeAddress('S', 'fd00::2', 1), 'pekko://S@[fd00::2]:1');
});

test('rejects what is not a remote node address', () => {
  for (const bad of [
    'pekko://Appka',
    'pekko://Appka@10.0.0.1',
    'pekko://@10.0.0.1:1',
    'Appka@10.0.0.1:1',
    'pekko://A@10.0.0.1:0',
    'pekko://A@10.0.0.1:70000',
    'pekko://A@[zz::1]:1',
    'pekko://A@fd00::1:1',
    ' pekko://A@h:1',
    '',
    42,
    null,
    undefined,
  ]) {
    const r = parseNodeAddress(bad);
    assert.is(r.ok, false, String(bad));
  }
});

test('ipBytes: IPv4, IPv6, embedded and mapped IPv4, non-IPs', () => {
  assert.equal(ipBytes('10.244.0.7'), [10, 244, 0, 7]);
  assert.equal(ipBytes('::1'), [...Array(15).fill(0), 1]);
  assert.equal(ipBytes('fd00::a:1')?.slice(0, 2), [0xfd, 0]);
  assert.equal(ipBytes('fd00::a:1')?.slice(12), [0, 0x0a, 0, 1]);
  assert.equal(ipBytes('::ffff:192.168.1.2'), [192, 168, 1, 2]);
  assert.equal(ipBytes('64:ff9b::10.0.0.1')?.slice(12), [10, 0, 0, 1]);
  assert.is(ipBytes('10-244-0-7.ns.pod.cluster.local'), undefined);
  assert.is(ipBytes('256.1.1.1'), undefined);
});

test('IP bytes compare as SIGNED bytes: an octet >= 128 sorts before one < 128', () => {
  assert.ok(compareIpBytes([10, 0, 0, 200], [10, 0, 0, 7]) < 0);
  assert.ok(compareIpBytes([192, 168, 0, 1], [10, 0, 0, 1]) < 0);
  assert.ok(compareIpBytes([255, 0, 0, 0], [128, 0, 0, 0]) > 0); // -1 > -128
  assert.ok(compareIpBytes([127, 0, 0, 1], [128, 0, 0, 1]) > 0);
  assert.ok(compareIpBytes([10, 0, 0, 1], [10, 0, 0, 1, 0]) < 0); // prefix first
  assert.is(compareIpBytes([1, 2, 3, 4], [1, 2, 3, 4]), 0);
});

test("contact point order is Pekko's (IP bytes signed, host, port), unlike a numeric or string order", () => {
  const cp = (ip: string, port = 7626): ContactPointKey => ({ host: ip.replace(/\./g, '-'), port, address: ip });
  const points = ['10.0.0.7', '10.0.0.200', '10.0.0.129', '10.0.0.10', '10.0.0.127'].map((ip) => cp(ip));
  const sorted = [...points].sort(compareContactPoints).map((p) => p.address);
  assert.equal(sorted, ['10.0.0.129', '10.0.0.200', '10.0.0.7', '10.0.0.10', '10.0.0.127']);
  assert.is(lowestContactPoint(points)?.address, '10.0.0.129');
  assert.is(lowestContactPoint([]), undefined);
  // Same address: host, then port; an unset port sorts first; no IP sorts before any IP.
  assert.ok(compareContactPoints({ host: 'a', address: '1.1.1.1', port: 2 }, { host: 'b', address: '1.1.1.1' }) < 0);
  assert.ok(compareContactPoints({ host: 'a', address: '1.1.1.1', port: 2 }, { host: 'a', address: '1.1.1.1' }) > 0);
  assert.ok(
    compareContactPoints({ host: 'a', address: '1.1.1.1', port: 1 }, { host: 'a', address: '1.1.1.1', port: 2 }) < 0,
  );
  assert.ok(compareContactPoints({ host: 'z' }, { host: 'a', address: '1.1.1.1' }) < 0);
  // IPv4 (4 bytes) before an IPv6 address that starts with the same 4 bytes.
  assert.ok(compareContactPoints({ host: 'x', address: '10.0.0.1' }, { host: 'x', address: 'a00:1::' }) < 0);
});

test('member address order is by host string, then port (seedNodes order)', () => {
  const sorted = ['pekko://A@10.0.0.9:2', 'pekko://A@10.0.0.10:2', 'pekko://A@10.0.0.9:1', 'junk'].sort(
    compareNodeAddressStrings,
  );
  assert.equal(sorted, ['pekko://A@10.0.0.10:2', 'pekko://A@10.0.0.9:1', 'pekko://A@10.0.0.9:2', 'junk']);
});

test.run();
