import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  clusterTag,
  defaultPodCidr,
  freeSlash24,
  macFor,
  netnsName,
  netnsPlan,
  overlappingRoutes,
  podIpRange,
  validatePodCidr,
  vethName,
} from './plan.ts';

test('the default range: 198.18.0.0/16 for the default prefix, 198.19.N.0/24 for 127.N (side by side)', () => {
  assert.is(defaultPodCidr('127.1'), '198.18.0.0/16');
  assert.is(defaultPodCidr('127.25'), '198.19.25.0/24');
  assert.is(defaultPodCidr('127.254'), '198.19.254.0/24');
});

test('a pod range must be /16../28 and an ordinary unicast range', () => {
  assert.ok(validatePodCidr('10.200.0.0/20'));
  assert.throws(() => validatePodCidr('10.0.0.0/8'), /16\.\.28/);
  assert.throws(() => validatePodCidr('198.19.1.0/30'), /16\.\.28/);
  assert.throws(() => validatePodCidr('127.5.0.0/16'), /not usable/);
  assert.throws(() => validatePodCidr('239.1.0.0/16'), /not usable/);
});

test("names: the cluster's tag from its folder, every name within Linux's 15 characters", () => {
  const a = clusterTag('/work/a/.cluster');
  assert.match(a, /^pbo[0-9a-f]{6}$/);
  assert.is.not(a, clusterTag('/work/b/.cluster'), 'another folder, another tag');
  assert.is(a, clusterTag('/work/a/.cluster'), 'stable');
  const plan = netnsPlan('/work/a/.cluster', validatePodCidr('198.18.0.0/16'));
  assert.equal(plan, { mode: 'netns', cidr: '198.18.0.0/16', hostIp: '198.18.0.1', tag: a, bridge: `${a}br` });
  const last = podIpRange(plan).size - 1;
  assert.ok(vethName(a, last).length <= 15, vethName(a, last));
  assert.ok(`${a}vprobe`.length <= 15);
  assert.is(netnsName(a, '198.18.0.2'), `${a}-198.18.0.2`);
});

test('a MAC per address, so a reused address keeps the MAC neighbours remember', () => {
  assert.is(macFor('198.19.25.1'), '0a:58:c6:13:19:01');
});

test('overlapping routes: any table, default routes excluded, IPv6 ignored', () => {
  const routes = [
    { dst: 'default', dev: 'eth0' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '198.19.0.0/16', dev: 'pbo123456br' },
    { dst: '198.18.3.4', dev: 'eth1', table: 'local' },
    { dst: 'fd00::/64', dev: 'eth0' },
  ];
  assert.equal(
    overlappingRoutes(validatePodCidr('198.19.25.0/24'), routes).map((r) => r.dev),
    ['pbo123456br'],
  );
  assert.equal(
    overlappingRoutes(validatePodCidr('198.18.0.0/16'), routes).map((r) => r.dst),
    ['198.18.3.4'],
  );
  assert.equal(overlappingRoutes(validatePodCidr('10.0.0.0/16'), routes), []);
});

test('a free /24 for --pod-cidr auto: from the top of 198.19.0.0/16, past taken ones', () => {
  assert.is(freeSlash24([]), '198.19.254.0/24');
  assert.is(freeSlash24([{ dst: '198.19.254.0/24' }, { dst: '198.19.253.128/25' }]), '198.19.252.0/24');
  assert.is(freeSlash24([{ dst: '198.19.0.0/16' }]), undefined);
});

test.run();
