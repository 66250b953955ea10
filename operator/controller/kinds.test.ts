import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { briefTriples } from '../../charts/tests/helm.ts';
import { WATCHED, watchedKind } from './kinds.ts';

test('each row is keyed by its kind (the caches are looked up by a child kind)', () => {
  for (const [key, kind] of Object.entries(WATCHED)) assert.is(key, kind.kind);
  assert.is(watchedKind('Deployment'), WATCHED.Deployment);
  assert.throws(() => watchedKind('ConfigMap'), /ConfigMap is not in the table of watched kinds/);
});

test("the chart's ClusterRole grants what the table needs: list and watch every kind; get, create, patch and delete what is applied", () => {
  const granted = new Set(briefTriples());
  const missing: string[] = [];
  for (const kind of Object.values(WATCHED)) {
    const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '';
    const applied = 'render' in kind || kind.role === 'shared';
    for (const verb of ['list', 'watch', ...(applied ? ['get', 'create', 'patch', 'delete'] : [])]) {
      if (!granted.has(`${group}/${kind.plural}:${verb}`)) missing.push(`${group}/${kind.plural}:${verb}`);
    }
  }
  assert.equal(missing, []);
});

test.run();
