import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accessTriples, reconcileAccess } from '../api-access.ts';

test("the operator's API use (and so the chart) includes patch on pods, its one write to pods (pod-deletion-cost)", () => {
  assert.ok(accessTriples(reconcileAccess()).includes('/pods:patch'));
});

test.run();
