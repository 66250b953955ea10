import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IpAllocator } from './ip-alloc.ts';

test('hands out distinct loopback addresses in the prefix, skipping .0', () => {
  const a = new IpAllocator('127.1');
  const ips = Array.from({ length: 300 }, () => a.allocate());
  assert.is(new Set(ips).size, 300);
  assert.is(ips[0], '127.1.0.1');
  assert.is(ips[253], '127.1.0.254');
  assert.is(ips[254], '127.1.1.1');
  assert.ok(ips.every((ip) => a.owns(ip)));
});

test('a released address is not reused at once', () => {
  const a = new IpAllocator('127.1');
  const first = a.allocate();
  a.release(first);
  assert.is.not(a.allocate(), first);
});

test('claim keeps existing addresses and moves past them', () => {
  const a = new IpAllocator('127.2');
  assert.ok(a.claim('127.2.0.5'));
  assert.not.ok(a.claim('127.2.0.5'), 'taken');
  assert.not.ok(a.claim('127.1.0.6'), 'other prefix');
  assert.not.ok(a.claim('10.0.0.1'));
  assert.is(a.allocate(), '127.2.0.6');
});

test.run();
