import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCli, UsageError } from './config.ts';

test('the pod range: derived from the prefix unless given; the flag wins over the environment', () => {
  assert.is(parseCli(['up'], {}).podCidr, '198.18.0.0/16');
  assert.is(parseCli(['up'], { CLUSTER_POD_IP_PREFIX: '127.25' }).podCidr, '198.19.25.0/24');
  assert.is(parseCli(['up', '--pod-ip-prefix', '127.77'], {}).podCidr, '198.19.77.0/24');
  const both = parseCli(['up', '--pod-cidr', '10.9.0.0/24'], { CLUSTER_POD_CIDR: '10.8.0.0/24' });
  assert.is(both.podCidr, '10.9.0.0/24');
  assert.is(parseCli(['up'], { CLUSTER_POD_CIDR: 'auto' }).podCidr, 'auto');
  assert.is(parseCli(['up'], {}).podNetwork, 'netns');
  assert.is(parseCli(['up'], { CLUSTER_POD_NETWORK: 'loopback' }).podNetwork, 'loopback');
});

test('a bad range or network mode is a usage error naming the setting', () => {
  assert.throws(
    () => parseCli(['up', '--pod-cidr', '198.19.25.1/24'], {}),
    (e: Error) => e instanceof UsageError && /CLUSTER_POD_CIDR/.test(e.message) && /198\.19\.25\.0\/24/.test(e.message),
  );
  assert.throws(
    () => parseCli(['up'], { CLUSTER_POD_NETWORK: 'bridge' }),
    /CLUSTER_POD_NETWORK must be netns or loopback/,
  );
});

test.run();
