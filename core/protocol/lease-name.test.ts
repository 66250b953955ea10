// Pekko's lease name rule. The expected names without a hash are what the real pekko-lease-kubernetes 1.1.1 jar
// returned for the same input (AbstractKubernetesLease$.makeDNS1039Compatible called by reflection, see
// docs/split-brain.md); the hashed ones were checked against Python's hashlib and base64.b32encode. The rest is
// pekko-management's own MakeDNS1039CompatibleSpec and Base32EncodeSpec (main branch).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { base32, pekkoLeaseName, sbrLeaseName } from './lease-name.ts';

const LONG_UPPER = `${'A'.repeat(70)}-pekko-sbr`;
const LONG_DASHES = `${'a'.repeat(60)}--x-pekko-sbr`;

test('without a hash (Pekko Management 1.x): the 1.1.1 jar answers', () => {
  for (const [input, want] of [
    ['my-lease', 'my-lease'],
    ['my.lease_name', 'my-lease-name'],
    ['-my-lease-', 'my-lease'],
    ['MyLease', 'mylease'],
    ['pekko-sample-pekko-sbr', 'pekko-sample-pekko-sbr'],
    [LONG_UPPER, 'a'.repeat(63)],
    [LONG_DASHES, `${'a'.repeat(60)}--x`],
    ['Ünïcödé_Name.x-pekko-sbr', 'unicode-name-x-pekko-sbr'],
    ['my@lease!name', 'myleasename'],
  ]) {
    assert.is(pekkoLeaseName(input as string, 63, 0), want, input);
  }
});

test('a name that fits is the same with or without the hash rule; a long one ends with - and 8 hash characters', () => {
  assert.is(pekkoLeaseName('my.lease_name'), 'my-lease-name');
  assert.is(pekkoLeaseName('a'.repeat(63)), 'a'.repeat(63));
  assert.is(pekkoLeaseName(LONG_UPPER), `${'a'.repeat(54)}-ojeajbvd`);
  assert.is(pekkoLeaseName(LONG_DASHES), `${'a'.repeat(54)}-safyw5sn`);
  assert.is(pekkoLeaseName('a'.repeat(100)), `${'a'.repeat(54)}-falfs6ei`);
  // the hash is of the original name: the same normalised text from different originals differs
  assert.is.not(pekkoLeaseName('a'.repeat(100)), pekkoLeaseName('A'.repeat(100)));
  for (const n of [LONG_UPPER, LONG_DASHES, 'x'.repeat(300)]) {
    const got = pekkoLeaseName(n);
    assert.is(got.length, 63, n);
    assert.match(got, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  }
});

test("the operator's names are fixed points: Pekko, whatever its version, uses them unchanged", () => {
  for (const n of ['sample', 'a'.repeat(240), 'shop.team-a', `x${'-y'.repeat(40)}`]) {
    const name = sbrLeaseName(n);
    assert.is(pekkoLeaseName(name, 63, 0), name, `1.x on ${name}`);
    assert.is(pekkoLeaseName(name), name, `2.0 on ${name}`);
  }
  assert.is(sbrLeaseName('sample'), 'sample-pekko-sbr');
  assert.is(sbrLeaseName('shop.team-a'), 'shop-team-a-pekko-sbr');
});

test('base32: RFC 4648 vectors in lower case, no padding', () => {
  const enc = (s: string) => base32(new TextEncoder().encode(s));
  assert.equal(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc), [
    '',
    'my',
    'mzxq',
    'mzxw6',
    'mzxw6yq',
    'mzxw6ytb',
    'mzxw6ytboi',
  ]);
  assert.is(base32(Uint8Array.of(0xff)), '74');
  assert.is(base32(Uint8Array.of(0xff, 0xff)), '777q');
  assert.is(base32(Uint8Array.of(0, 0)), 'aaaa');
});

test.run();
