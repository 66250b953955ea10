// Every setting the operator renders reads back from the live Deployment as the value it was rendered from, for a
// Pekko application (-D flags), the agent as the app, and the agent as a sidecar.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { ALL_SETTINGS, SETTINGS } from '../../core/settings/catalog.ts';
import { isValueRender } from '../../core/settings/setting.ts';
import { renderDeployment } from './deployment.ts';
import { renderedValue } from './read-back.ts';

function rendered(spec: Record<string, unknown>, status?: ClusterBootstrap['status']) {
  const cb = {
    apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
    kind: 'ClusterBootstrap',
    metadata: { name: 'shop', namespace: 'team-a', uid: 'u1' },
    spec: { image: 'registry.example/shop:1', ...spec },
    ...(status ? { status } : {}),
  } as ClusterBootstrap;
  const v = validate(cb);
  if (!v.spec) throw new Error(v.errors.join('; '));
  const r = resolve(cb, v.spec);
  return { r, d: renderDeployment(cb, r) };
}

const cases: [string, Record<string, unknown>][] = [
  ['pekko', { replicas: 4, bootstrap: { stableMargin: '7s', newClusterEnabled: false } }],
  ['agent', { workload: 'agent', replicas: 2, management: { portName: 'mgmt' } }],
  ['agent sidecar', { workload: 'agent', agent: { image: 'agent:1' }, bootstrap: { requiredContactPoints: 5 } }],
];

for (const [name, spec] of cases) {
  test(`every rendered setting reads back as rendered: ${name}`, () => {
    const { r, d } = rendered(spec);
    const target = name === 'pekko' ? 'pekko' : 'agent';
    let checked = 0;
    for (const s of ALL_SETTINGS) {
      if (!isValueRender(s.render) || !s.render.to.includes(target)) continue;
      const value = s.render.value(r);
      if (value === undefined) continue;
      const expected = s.type.parse(s.type.write(value, target === 'pekko' ? 'property' : 'env'));
      assert.ok(expected.ok);
      assert.equal(renderedValue(d, s), expected.ok ? expected.value : undefined, s.key ?? s.env[0]);
      checked++;
    }
    assert.ok(checked >= 4, `only ${checked} settings checked`);
  });
}

test("the operator's flag wins over an earlier one of the user's in JAVA_TOOL_OPTIONS", () => {
  const key = SETTINGS.requiredContactPointNr.key;
  const user = [{ name: 'JAVA_TOOL_OPTIONS', value: `-D${key}=9 -Xmx1g` }];
  const { d } = rendered({ replicas: 3, template: { spec: { containers: [{ name: 'app', env: user }] } } });
  assert.is(renderedValue(d, SETTINGS.requiredContactPointNr), 3);
});

test('nothing rendered, nothing read: replicas 0 fixes no requiredContactPoints; no Deployment', () => {
  assert.is(renderedValue(rendered({ replicas: 0 }).d, SETTINGS.requiredContactPointNr), undefined);
  assert.is(renderedValue(undefined, SETTINGS.requiredContactPointNr), undefined);
  assert.is(
    renderedValue(rendered({ replicas: 0 }, { requiredContactPoints: 2 }).d, SETTINGS.requiredContactPointNr),
    2,
  );
});

test.run();
