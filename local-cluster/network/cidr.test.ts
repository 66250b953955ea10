import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CidrError, contains, formatCidr, formatIp, overlaps, parseCidr, parseIp } from './cidr.ts';

test('addresses round-trip; malformed ones are undefined', () => {
  assert.is(formatIp(parseIp('198.19.25.1') as number), '198.19.25.1');
  assert.is(parseIp('255.255.255.255'), 2 ** 32 - 1);
  for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '1.2.3.4.5', '']) assert.is(parseIp(bad), undefined, bad);
});

test('ranges parse, a bare address is /32, host bits set are refused naming the range meant', () => {
  assert.is(formatCidr(parseCidr('198.18.0.0/16')), '198.18.0.0/16');
  assert.equal(parseCidr('10.1.2.3'), { base: parseIp('10.1.2.3'), bits: 32 });
  assert.throws(
    () => parseCidr('198.19.25.1/24'),
    (e: Error) => e instanceof CidrError && /198\.19\.25\.0\/24/.test(e.message),
  );
  assert.throws(
    () => parseCidr('198.19.0.0/33'),
    (e: Error) => e instanceof CidrError,
  );
  assert.throws(
    () => parseCidr('fd00::/64'),
    (e: Error) => e instanceof CidrError,
  );
});

test('overlap and containment', () => {
  const c = parseCidr('198.19.25.0/24');
  assert.ok(overlaps(c, parseCidr('198.19.0.0/16')));
  assert.ok(overlaps(c, parseCidr('198.19.25.128/25')));
  assert.ok(overlaps(c, parseCidr('198.19.25.255')));
  assert.not.ok(overlaps(c, parseCidr('198.19.26.0/24')));
  assert.not.ok(overlaps(c, parseCidr('198.19.24.0/24')));
  assert.ok(contains(c, parseIp('198.19.25.7') as number));
  assert.not.ok(contains(c, parseIp('198.19.26.0') as number));
});

test.run();
