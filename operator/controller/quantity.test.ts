import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalQuantity, parseQuantity, sameQuantity } from './quantity.ts';

// What the API server stored for each value (Kubernetes 1.35, the local cluster: a Deployment's
// resources.limits.cpu and a ResourceQuota's spec.hard, applied with kubectl and read back). Strings unless a number.
const STORED: [string | number, string][] = [
  ['0.5', '500m'],
  [0.5, '500m'],
  ['1', '1'],
  [1, '1'],
  ['1.5', '1500m'],
  [1.5, '1500m'],
  ['0.30000000000000004', '301m'],
  ['1000m', '1'],
  ['1500m', '1500m'],
  ['0.1', '100m'],
  ['100m', '100m'],
  ['1e3', '1e3'],
  ['1.5e3', '1500'],
  ['1e-3', '1e-3'],
  [1e-10, '1e-3'],
  ['1024Mi', '1Gi'],
  ['1.5Gi', '1536Mi'],
  ['0.5Gi', '512Mi'],
  ['1Ki', '1Ki'],
  ['512', '512'],
  ['1023Ki', '1023Ki'],
  ['1025Ki', '1025Ki'],
  ['2048', '2048'],
  ['2000', '2k'],
  [2000, '2k'],
  ['1000000', '1M'],
  ['1M', '1M'],
  ['1000k', '1M'],
  ['0.9Gi', '966367641600m'],
  ['1e9', '1e9'],
  ['12e2', '1200'],
  ['0.0000000001', '1m'],
  ['1.0', '1'],
  ['1.000', '1'],
  ['100Mi', '100Mi'],
  ['1536Mi', '1536Mi'],
  ['1e6', '1e6'],
  ['1e7', '10e6'],
  ['0.001m', '1m'],
  ['1.23456789', '1235m'],
  ['7e1', '70'],
  ['10e-1', '1'],
];

test('canonical form: what the API server stores', () => {
  for (const [input, stored] of STORED) assert.is(canonicalQuantity(input), stored, `${input}`);
});

test('the stored value is the same quantity as the one written, also where the server keeps odd spellings', () => {
  for (const [input, stored] of STORED) assert.ok(sameQuantity(input, stored), `${input} ~ ${stored}`);
  // Kept as sent by the server (a cached original string): still the same value.
  assert.ok(sameQuantity('1', '01'));
  assert.ok(sameQuantity('1', '+1'));
  assert.ok(sameQuantity('1Gi', '1073741824'));
});

test('different values are different; non-quantities compare as they are', () => {
  assert.not.ok(sameQuantity('0.5', '501m'));
  assert.not.ok(sameQuantity('1Gi', '1G'));
  assert.not.ok(sameQuantity(0.5, '5'));
  assert.not.ok(sameQuantity('abc', '0'));
  assert.ok(sameQuantity('abc', 'abc'));
  assert.not.ok(sameQuantity(undefined, '1'));
});

test('parse: the grammar, and what is not a quantity', () => {
  assert.equal(parseQuantity('-1.5k'), { milli: -1_500_000n, format: 'DecimalSI' });
  assert.equal(parseQuantity('.5'), { milli: 500n, format: 'DecimalSI' });
  assert.equal(parseQuantity('2Ki'), { milli: 2_048_000n, format: 'BinarySI' });
  assert.equal(parseQuantity('1E3'), { milli: 1_000_000n, format: 'DecimalExponent' });
  for (const bad of ['', '.', 'Ki', '1KB', '1 Gi', '1e', '1e1000', '0x10', 'NaN', Number.NaN, null, {}, '1.2.3']) {
    assert.is(parseQuantity(bad), undefined, JSON.stringify(bad));
  }
});

test.run();
