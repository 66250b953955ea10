// A test.before hook that throws (a suite that cannot apply its CRD): uvu runs no test, prints no error, exits 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test.before(() => {
  throw new Error('the CRD does not apply');
});
test('never runs', () => assert.ok(true));
test('never runs either', () => assert.ok(true));
test.run();
