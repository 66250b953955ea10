import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wrapArgv } from './runner.ts';

const sa = {
  source: '/c/pods/u/volumes/kube-api-access',
  target: '/var/run/secrets/kubernetes.io/serviceaccount',
  readOnly: true,
};

test('no mounts: the command as is', () => {
  assert.equal(wrapArgv(['node', 'x.js'], [], 'mount'), ['node', 'x.js']);
});

test('mounts: unshare, the mount script, the pairs, then the command', () => {
  const argv = wrapArgv(['node', 'x.js'], [sa], 'mount');
  assert.equal(argv.slice(0, 5), ['unshare', '--mount', '--propagation', 'private', '--']);
  assert.equal(argv.slice(-6), [sa.source, sa.target, 'ro', '--', 'node', 'x.js']);
});

test('no namespace support: mounts are skipped', () => {
  assert.equal(wrapArgv(['a'], [sa], 'none'), ['a']);
});

test('a pod network namespace: nsenter --net first, so the mount namespace is made inside it', () => {
  const argv = wrapArgv(['node', 'x.js'], [sa], 'mount', '/run/netns/pbo123456-198.19.1.2');
  assert.equal(argv.slice(0, 4), ['nsenter', '--net=/run/netns/pbo123456-198.19.1.2', '--', 'unshare']);
  assert.equal(wrapArgv(['a'], [], 'none', '/run/netns/x'), ['nsenter', '--net=/run/netns/x', '--', 'a']);
});

test.run();
