import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matchesLabels, parseLabelSelector } from './selector.ts';

function matcher(selector: string) {
  const p = parseLabelSelector(selector);
  if (!p.ok) throw new Error(p.error);
  return (labels: Record<string, string>) => matchesLabels(p.terms, labels);
}

test('equality, inequality, exists and absent, as the API server selects', () => {
  const pod = { app: 'shop', tier: 'backend', 'app.kubernetes.io/instance': 'shop' };
  assert.ok(matcher('app=shop')(pod));
  assert.ok(matcher('app==shop,tier=backend')(pod));
  assert.not.ok(matcher('app=shop,tier=frontend')(pod));
  assert.not.ok(matcher('app=shop,zone=a')(pod), 'a label the pod lacks');
  assert.ok(matcher('app=shop,zone!=a')(pod), '!= holds when the label is absent');
  assert.not.ok(matcher('tier!=backend')(pod));
  assert.ok(matcher('app.kubernetes.io/instance')(pod));
  assert.not.ok(matcher('!tier')(pod));
  assert.ok(matcher('!zone')(pod));
  assert.ok(matcher('app=shop,empty=')({ ...pod, empty: '' }));
});

test('what the API server would refuse is an error naming the term', () => {
  for (const bad of ['', 'app=', '=x', 'app=a=b', '!app=x', 'app=-x', 'a b=c', 'app,', `app=${'x'.repeat(64)}`]) {
    const p = parseLabelSelector(bad);
    if (bad === 'app=') {
      assert.ok(p.ok, 'an empty value is allowed');
      continue;
    }
    assert.not.ok(p.ok, bad);
    if (!p.ok) assert.match(p.error, 'is not a label requirement');
  }
});

test.run();
