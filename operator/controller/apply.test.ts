import type { KubernetesObject } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APPLIED_HASH_ANNOTATION, canonicalJson, contentHash, covers, withHash } from './apply.ts';

test('covers: extra live fields are fine; a changed or missing desired field is not', () => {
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

test('covers: lists match element by element and must have the same length', () => {
  assert.ok(covers({ verbs: ['get', 'watch', 'list'] }, { verbs: ['get', 'watch', 'list'] }));
  assert.not.ok(covers({ verbs: ['get', 'watch', 'list', 'delete'] }, { verbs: ['get', 'watch', 'list'] }));
  assert.not.ok(covers({ verbs: ['list', 'watch', 'get'] }, { verbs: ['get', 'watch', 'list'] }));
});

test('covers: values the API server drops match an absent field', () => {
  assert.ok(covers({}, { a: {}, b: [], c: '', d: false, e: 0, f: undefined }));
  assert.not.ok(covers({ b: ['x'] }, { b: [] }));
  assert.not.ok(covers({ d: true }, { d: false }));
});

test('the hash ignores key order and undefined fields, and changes with any value', () => {
  assert.is(canonicalJson({ b: 1, a: { d: 2, c: undefined } }), '{"a":{"d":2},"b":1}');
  assert.is(contentHash({ a: 1, b: 2 }), contentHash({ b: 2, a: 1 }));
  assert.is.not(contentHash({ a: 1 }), contentHash({ a: 2 }));
  const o = withHash<KubernetesObject>({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'x', annotations: { keep: 'me' } },
  });
  assert.is(o.metadata?.annotations?.keep, 'me');
  assert.is(o.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]?.length, 20);
});

test.run();
