import type { KubernetesObject } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson } from '../../core/canonical-json.ts';
import { APPLIED_HASH_ANNOTATION, contentHash, withHash } from './apply.ts';

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
