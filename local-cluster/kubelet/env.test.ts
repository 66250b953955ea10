import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { containerEnv, type EnvContext, EnvError, type EnvSources, processSpec } from './env.ts';

const pod: V1Pod = {
  metadata: {
    name: 'web-1',
    namespace: 'ns1',
    uid: 'u-1',
    labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
    annotations: { note: 'hi' },
  },
  spec: { nodeName: 'node-a', serviceAccountName: 'sa1', containers: [] },
};
const ctx: EnvContext = {
  pod,
  podIP: '127.1.0.7',
  hostIP: '127.0.0.1',
  apiserverHost: '127.0.0.1',
  apiserverPort: 6443,
  hostEnv: { PATH: '/bin' },
};
const none: EnvSources = { configMaps: new Map(), secrets: new Map() };

test('literal values, fieldRefs and $(VAR) expansion in order', () => {
  const c: V1Container = {
    name: 'c',
    env: [
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'ADDR', value: '$(POD_IP):7626' },
      { name: 'LATER', value: '$(AFTER)' },
      { name: 'AFTER', value: 'x' },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/name']" } } },
      { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
      { name: 'MISSING', valueFrom: { fieldRef: { fieldPath: "metadata.labels['nope']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
    ],
  };
  const env = containerEnv(c, ctx, none);
  assert.is(env.get('ADDR'), '127.1.0.7:7626');
  assert.is(env.get('LATER'), '$(AFTER)', 'only earlier variables are visible');
  assert.is(env.get('APP'), 'web');
  assert.is(env.get('NOTE'), 'hi');
  assert.is(env.get('MISSING'), '');
  assert.is(env.get('NODE'), 'node-a');
  assert.is(env.get('SA'), 'sa1');
  assert.is(env.get('NS'), 'ns1');
  assert.is(env.get('API'), 'https://127.0.0.1:6443');
  assert.is(env.get('KUBERNETES_SERVICE_PORT'), '6443');
});

test('configMap and secret references; a missing required key is a config error', () => {
  const src: EnvSources = {
    configMaps: new Map([['cm', { a: '1', b: '2' }]]),
    secrets: new Map([['s', { pw: 'secret' }]]),
  };
  const c: V1Container = {
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
    env: [
      { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k', optional: true } } },
    ],
  };
  const env = containerEnv(c, ctx, src);
  assert.is(env.get('CM_a'), '1');
  assert.is(env.get('PW'), 'secret');
  assert.not.ok(env.has('OPT'));
  const bad: V1Container = {
    name: 'c',
    env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'zz' } } }],
  };
  assert.throws(
    () => containerEnv(bad, ctx, src),
    (e: unknown) => e instanceof EnvError,
  );
});

test('command and args follow the ENTRYPOINT/CMD rules and are expanded', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an image-map placeholder
  const image = { command: ['/bin/node', 'app.js'], args: ['--default'], env: { BIND: '${POD_IP}' } };
  const env = [{ name: 'PORT', value: '8080' }];
  const plain = processSpec({ name: 'c', env }, image, ctx, none, '/repo');
  assert.equal(plain.command, ['/bin/node', 'app.js', '--default']);
  assert.is(plain.env.BIND, '127.1.0.7');
  assert.is(plain.env.HOSTNAME, 'web-1');
  assert.is(plain.env.PATH, '/bin');
  assert.is(plain.cwd, '/repo');
  const args = processSpec({ name: 'c', env, args: ['--port=$(PORT)'] }, image, ctx, none, '/repo');
  assert.equal(args.command, ['/bin/node', 'app.js', '--port=8080']);
  const cmd = processSpec({ name: 'c', env, command: ['sh', '-c'], args: ['echo $(PORT)'] }, image, ctx, none, '/r');
  assert.equal(cmd.command, ['sh', '-c', 'echo 8080']);
});

test.run();
