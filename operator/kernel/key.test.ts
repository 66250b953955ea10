import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keyOf, objectKey, splitKey } from './key.ts';

test('a key splits back into the namespace and name it was made of', () => {
  assert.is(objectKey('shop', 'demo'), 'shop/demo');
  assert.is(keyOf({ metadata: { namespace: 'shop', name: 'demo' } }), 'shop/demo');
  assert.equal(splitKey(objectKey('shop', 'demo')), { namespace: 'shop', name: 'demo' });
});

test('a cluster-scoped key has no namespace', () => {
  assert.equal(splitKey('shop'), { namespace: '', name: 'shop' });
});

test.run();
