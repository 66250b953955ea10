import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { covers } from './covers.ts';

test('extra live fields are fine; a changed or missing desired field is not', () => {
  const desired = { spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', image: 'x' }] } } } };
  const live = {
    spec: {
      replicas: 3,
      revisionHistoryLimit: 10,
      template: { spec: { containers: [{ name: 'app', image: 'x', imagePullPolicy: 'IfNotPresent' }] } },
    },
  };
  assert.ok(covers(live, desired));
  assert.not.ok(covers({ spec: { ...live.spec, replicas: 5 } }, desired));
  assert.not.ok(covers({ spec: { replicas: 3 } }, desired));
});

test('atomic lists match element by element and must have the same length', () => {
  assert.ok(covers({ verbs: ['get', 'watch', 'list'] }, { verbs: ['get', 'watch', 'list'] }));
  assert.not.ok(covers({ verbs: ['get', 'watch', 'list', 'delete'] }, { verbs: ['get', 'watch', 'list'] }));
  assert.not.ok(covers({ verbs: ['list', 'watch', 'get'] }, { verbs: ['get', 'watch', 'list'] }));
  const args = { containers: [{ name: 'app', args: ['-a', '-b'] }] };
  assert.not.ok(covers({ containers: [{ name: 'app', args: ['-a', '-b', '-c'] }] }, args), 'args are atomic');
});

test('values the API server drops match an absent field', () => {
  assert.ok(covers({}, { a: {}, b: [], c: '', d: false, e: 0, f: undefined }));
  assert.not.ok(covers({ b: ['x'] }, { b: [] }));
  assert.not.ok(covers({ d: true }, { d: false }));
});

test('keyed lists: entries matched by their keys; entries of other managers are not ours to compare', () => {
  const desired = {
    containers: [
      { name: 'app', env: [{ name: 'A', value: '1' }], ports: [{ name: 'management', containerPort: 7626 }] },
    ],
  };
  const live = {
    containers: [
      { name: 'sidecar', image: 'istio' },
      {
        name: 'app',
        env: [
          { name: 'ADDED', value: 'by kubectl set env' },
          { name: 'A', value: '1' },
        ],
        ports: [{ name: 'management', containerPort: 7626, protocol: 'TCP' }],
      },
    ],
  };
  assert.ok(covers(live, desired), 'a webhook sidecar and an env var set by another manager');
  const changed = structuredClone(live);
  (changed.containers[1] as { env: { value: string }[] }).env[1]!.value = '2';
  assert.not.ok(covers(changed, desired), 'our entry with another value');
  const removed = structuredClone(live);
  (removed.containers[1] as { env: unknown[] }).env.pop();
  assert.not.ok(covers(removed, desired), 'our entry gone');
  const udp = structuredClone(live);
  (udp.containers[1] as { ports: { protocol: string }[] }).ports[0]!.protocol = 'UDP';
  assert.not.ok(covers(udp, desired), 'a port is keyed by containerPort and protocol (TCP when left out)');
  assert.ok(covers({ ownerReferences: [{ uid: 'b' }, { uid: 'a', name: 'x' }] }, { ownerReferences: [{ uid: 'a' }] }));
});

test('quantities compare by value where the API server stores quantities, and only there', () => {
  const desired = { resources: { limits: { cpu: 0.5, memory: '1.5Gi' }, requests: { cpu: '1000m' } } };
  assert.ok(covers({ resources: { limits: { cpu: '500m', memory: '1536Mi' }, requests: { cpu: '1' } } }, desired));
  assert.not.ok(covers({ resources: { limits: { cpu: '600m', memory: '1536Mi' }, requests: { cpu: '1' } } }, desired));
  assert.ok(covers({ emptyDir: { sizeLimit: '1Gi' } }, { emptyDir: { sizeLimit: '1024Mi' } }));
  assert.not.ok(covers({ env: [{ name: 'X', value: '1' }] }, { env: [{ name: 'X', value: '1.0' }] }), 'env is text');
});

test.run();
