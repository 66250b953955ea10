import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALL_SETTINGS, ENV, PEKKO_SETTINGS, SETTINGS } from './catalog.ts';
import { envName, isFieldRender, isValueRender } from './setting.ts';

test("env names follow Pekko's keys; no name is used twice", () => {
  const seen = new Map<string, string>();
  for (const [id, s] of Object.entries(SETTINGS)) {
    assert.ok(s.env.length > 0, id);
    if (s.key !== undefined) assert.is(s.env[0], envName(s.key), id);
    for (const name of s.env) {
      assert.is(seen.get(name), undefined, `${name} is read by ${seen.get(name)} and ${id}`);
      seen.set(name, id);
    }
  }
  assert.is(ENV.stableMargin, 'PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_STABLE_MARGIN');
  assert.is(ENV.podIP, 'POD_IP');
});

test('every default the docs show as a value reads back as that value', () => {
  let checked = 0;
  for (const [id, s] of Object.entries(SETTINGS)) {
    assert.ok(s.defaultDoc.length > 0, id);
    const shown = /^`(.*)`$/.exec(s.defaultDoc)?.[1];
    if (s.default === undefined || shown === undefined) continue;
    assert.equal(s.type.parse(shown), { ok: true, value: s.default }, id);
    checked++;
  }
  assert.ok(checked >= 25, `${checked} defaults checked`);
});

test('what the operator writes, it writes where a reader is: agent values under an env name, Pekko values under a key', () => {
  for (const s of ALL_SETTINGS) {
    const r = s.render;
    if (isFieldRender(r)) assert.ok(s.env.includes(r.name ?? (s.env[0] as string)), r.field);
    if (!isValueRender(r)) continue;
    assert.ok(r.to.length > 0);
    if (r.to.includes('agent') || r.to.includes('sidecar')) assert.ok(s.env.length > 0, s.doc);
    if (r.to.includes('pekko')) assert.ok(s.key?.startsWith('pekko.'), s.doc);
  }
  for (const s of Object.values(PEKKO_SETTINGS)) {
    assert.equal(s.env, [], 'the agent has no name for a Pekko-only setting');
    assert.ok(isValueRender(s.render) && s.render.to.includes('pekko'));
  }
});

test.run();
