import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from '../../test-e2e/lib/env.ts';
import { chartMemoryLimit, parseQuantity } from './memory-limit.ts';

test('memory quantities in bytes; a wrong one names the value', () => {
  assert.is(parseQuantity('256Mi'), 268435456);
  assert.is(parseQuantity('1Gi'), 1024 ** 3);
  assert.is(parseQuantity('500M'), 5e8);
  assert.is(parseQuantity(1024), 1024);
  assert.throws(() => parseQuantity('256 MB'), /"256 MB"/);
});

test("the chart's default limit is read from values.yaml", () => {
  const values = readFileSync(join(REPO_ROOT, 'charts', 'pekko-bootstrap-operator', 'values.yaml'), 'utf8');
  assert.is(chartMemoryLimit(values), parseQuantity('256Mi'));
  assert.is(chartMemoryLimit('resources:\n  limits:\n    memory: 1Gi\n'), 1024 ** 3);
  assert.throws(() => chartMemoryLimit('resources: {}\n'), /resources.limits.memory/);
});

test.run();
