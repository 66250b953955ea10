import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { podIpRange } from '../network/plan.ts';
import { IpAllocator } from './ip-alloc.ts';

const loopback = (prefix: string) => new IpAllocator(podIpRange({ mode: 'loopback', prefix, reason: 'test' }));
const bridged = (cidr: string) =>
  new IpAllocator(podIpRange({ mode: 'netns', cidr, hostIp: '', tag: 'pbo000000', bridge: 'pbo000000br' }));

test('loopback: distinct addresses in the prefix, skipping .0 and .255', () => {
  const a = loopback('127.1');
  const ips = Array.from({ length: 300 }, () => a.allocate());
  assert.is(new Set(ips).size, 300);
  assert.is(ips[0], '127.1.0.1');
  assert.is(ips[253], '127.1.0.254');
  assert.is(ips[254], '127.1.1.1');
  assert.ok(ips.every((ip) => a.owns(ip)));
});

test('bridge range: skips the network address, the host address (.1) and broadcast; full range says so', () => {
  const a = bridged('198.19.7.0/28');
  const ips = Array.from({ length: 13 }, () => a.allocate());
  assert.is(ips[0], '198.19.7.2');
  assert.is(ips[12], '198.19.7.14');
  assert.not.ok(a.owns('198.19.7.1'), 'the host');
  assert.not.ok(a.owns('198.19.7.15'), 'broadcast');
  assert.is(a.indexOf('198.19.7.2'), 0);
  assert.throws(() => a.allocate(), /no free pod IP left in 198\.19\.7\.0\/28/);
});

test('a released address is not reused at once', () => {
  const a = bridged('198.18.0.0/16');
  const first = a.allocate();
  a.release(first);
  assert.is.not(a.allocate(), first);
});

test('claim keeps existing addresses and moves past them', () => {
  const a = loopback('127.2');
  assert.ok(a.claim('127.2.0.5'));
  assert.not.ok(a.claim('127.2.0.5'), 'taken');
  assert.not.ok(a.claim('127.1.0.6'), 'other prefix');
  assert.not.ok(a.claim('10.0.0.1'));
  assert.is(a.allocate(), '127.2.0.6');
  const b = bridged('198.19.3.0/24');
  assert.ok(b.claim('198.19.3.40'));
  assert.not.ok(b.claim('198.19.4.40'), 'outside the range');
  assert.is(b.allocate(), '198.19.3.41');
});

test.run();
