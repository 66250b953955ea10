import type { V1Deployment } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, TEMPLATE_REVISION_ANNOTATION } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { renderDeployment } from '../render/deployment.ts';
import { prepare } from './lifecycle.ts';
import { decideRevision, revisionOf, settingsFor, templateHash } from './revision.ts';

function resource(spec: Record<string, unknown>): ClusterBootstrap {
  return {
    apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
    kind: 'ClusterBootstrap',
    metadata: { name: 'shop', namespace: 'ns', uid: 'u1' },
    spec: { image: 'app:1', replicas: 3, ...spec } as ClusterBootstrap['spec'],
  };
}

function resolved(spec: Record<string, unknown>) {
  const cb = resource(spec);
  const v = validate(cb);
  if (!v.spec) throw new Error(v.errors.join('; '));
  // requiredContactPoints as fixed in status at the first reconcile, so that a scale does not change it.
  return { cb, r: resolve({ ...cb, status: { requiredContactPoints: 3 } }, v.spec) };
}

const hashOf = (spec: Record<string, unknown>) => {
  const { cb, r } = resolved(spec);
  return templateHash(cb, r);
};

const next = (n: number) => ({ appVersion: String(n) });

test('nothing recorded: revision 1 with its settings', () => {
  assert.equal(decideRevision({ recorded: [undefined, undefined], hash: 'h1', settingsFor: next }), {
    revision: 1,
    hash: 'h1',
    appVersion: '1',
  });
});

test('the same hash keeps the recorded revision and its settings, even when new settings would differ', () => {
  const rec = { revision: 4, hash: 'h1', appVersion: '4' };
  assert.equal(decideRevision({ recorded: [rec], hash: 'h1', settingsFor: () => ({ appVersion: 'other' }) }), rec);
});

test('another hash starts the next revision; a hash seen before (a rollback) is a new revision too', () => {
  const r2 = decideRevision({
    recorded: [{ revision: 1, hash: 'h1', appVersion: '1' }],
    hash: 'h2',
    settingsFor: next,
  });
  assert.equal(r2, { revision: 2, hash: 'h2', appVersion: '2' });
  const back = decideRevision({ recorded: [r2], hash: 'h1', settingsFor: next });
  assert.equal(back, { revision: 3, hash: 'h1', appVersion: '3' });
});

test('never backwards: the highest recorded revision counts (status lost, or its write lost)', () => {
  const status = { revision: 3, hash: 'h3', appVersion: '3' };
  const annotation = { revision: 5, hash: 'h5', appVersion: '5' };
  assert.equal(decideRevision({ recorded: [status, annotation], hash: 'h5', settingsFor: next }), annotation);
  assert.equal(decideRevision({ recorded: [undefined, annotation], hash: 'h5', settingsFor: next }), annotation);
  assert.equal(decideRevision({ recorded: [status, annotation], hash: 'h3', settingsFor: next }).revision, 6);
});

test('malformed records are skipped', () => {
  const bad = [
    { revision: 0, hash: 'x' },
    { revision: 2.5, hash: 'x' },
    { revision: 9 },
    'text',
    null,
    { revision: 7, hash: 1 },
  ];
  assert.equal(decideRevision({ recorded: bad, hash: 'h', settingsFor: next }).revision, 1);
});

test('the template hash: a scale or a lifecycle switch outside the template is no change; a template change is', () => {
  const base = hashOf({});
  assert.is(hashOf({ replicas: 7 }), base, 'scale');
  assert.is(hashOf({ lifecycle: { podDeletionCost: false, stepwiseScaleDown: false } }), base);
  assert.is(hashOf({ paused: true }), base);
  assert.is.not(hashOf({ image: 'app:2' }), base, 'image');
  assert.is.not(hashOf({ template: { metadata: { labels: { team: 'a' } } } }), base, 'template label');
  assert.is.not(hashOf({ bootstrap: { stableMargin: '7s' } }), base, 'a setting handed to the pods');
  // Turning the app version off is a change of what the pods are handed: a new revision (without it).
  assert.is.not(hashOf({ lifecycle: { appVersion: false } }), base, 'appVersion off');
});

test('the hash leaves the revision-scoped value out: the rendered template differs per revision, the hash does not', () => {
  const { cb, r } = resolved({});
  const t1 = renderDeployment(cb, { ...r, revision: { revision: 1, hash: 'x', appVersion: '1' } }).spec?.template;
  const t2 = renderDeployment(cb, { ...r, revision: { revision: 2, hash: 'x', appVersion: '2' } }).spec?.template;
  assert.not.equal(t1, t2);
  assert.is(templateHash(cb, { ...r, revision: { revision: 2, hash: 'x', appVersion: '2' } }), templateHash(cb, r));
});

test('settings: the app version is the revision for workload pekko, none for the agent or when turned off', () => {
  assert.equal(settingsFor(3, resolved({}).r), { appVersion: '3', newClusterEnabled: true });
  assert.equal(settingsFor(3, resolved({ workload: 'agent' }).r), { newClusterEnabled: true });
  assert.equal(settingsFor(3, resolved({ lifecycle: { appVersion: false } }).r), { newClusterEnabled: true });
});

test('new-cluster-enabled: the spec value until formed, off after, on for a cold start or a Recreate strategy', () => {
  const { r } = resolved({});
  const facts = (o: Partial<{ formed: boolean; coldStart: boolean; recreate: boolean }> = {}) => ({
    formed: false,
    coldStart: false,
    recreate: false,
    ...o,
  });
  const nce = (rr: typeof r, f = facts()) => settingsFor(2, rr, f).newClusterEnabled;
  assert.is(nce(r), true);
  assert.is(nce(r, facts({ formed: true })), false);
  assert.is(nce(r, facts({ formed: true, coldStart: true })), true);
  assert.is(nce(r, facts({ formed: true, recreate: true })), true, 'Recreate replaces every member: they must form');
  const off = resolved({ bootstrap: { newClusterEnabled: false } }).r;
  assert.is(nce(off), false);
  assert.is(nce(off, facts({ formed: true, coldStart: true })), false, "the user's false is never overridden");
});

test("the hash sees the user's newClusterEnabled, never the value decided for a revision", () => {
  const { cb, r } = resolved({});
  const decided = (v: boolean) => ({
    ...r,
    revision: { revision: 2, hash: 'x', appVersion: '2', newClusterEnabled: v },
  });
  const java = (v: boolean) =>
    renderDeployment(cb, decided(v)).spec?.template.spec?.containers[0]?.env?.find(
      (e) => e.name === 'JAVA_TOOL_OPTIONS',
    )?.value ?? '';
  assert.match(java(false), ' -Dpekko.management.cluster.bootstrap.new-cluster-enabled=off ');
  assert.match(java(true), ' -Dpekko.management.cluster.bootstrap.new-cluster-enabled=on ');
  assert.is(templateHash(cb, decided(false)), templateHash(cb, r), 'handing it off is no template change');
  assert.not.equal(hashOf({ bootstrap: { newClusterEnabled: false } }), hashOf({}), "the user's own change is one");
});

test('keeps: a cold start starts the next revision although the template is the same', () => {
  const rec = { revision: 4, hash: 'h1', appVersion: '4', newClusterEnabled: false };
  const on = (n: number) => ({ appVersion: String(n), newClusterEnabled: true });
  const keeps = (l: { newClusterEnabled?: boolean }) => l.newClusterEnabled !== false;
  assert.equal(decideRevision({ recorded: [rec], hash: 'h1', settingsFor: on, keeps }), {
    revision: 5,
    hash: 'h1',
    appVersion: '5',
    newClusterEnabled: true,
  });
  const five = { revision: 5, hash: 'h1', appVersion: '5', newClusterEnabled: true };
  assert.equal(decideRevision({ recorded: [five], hash: 'h1', settingsFor: on, keeps }), five, 'once is enough');
});

test('prepare(): the Deployment carries the revision on its own metadata and -Dpekko.cluster.app-version', () => {
  const { cb, r } = resolved({});
  const rendered = prepare(cb, r, undefined, undefined);
  const d = renderDeployment(cb, rendered);
  assert.equal(revisionOf(d), rendered.revision);
  assert.is(rendered.revision?.appVersion, '1');
  const java = d.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS')?.value ?? '';
  assert.match(java, ' -Dpekko.cluster.app-version=1 ');
  assert.not.ok(d.spec?.template.metadata?.annotations?.[TEMPLATE_REVISION_ANNOTATION], 'not on the pods');

  // The next pass reads it back, from status or (status lost) from the Deployment: the same revision, no roll.
  const again = prepare(cb, r, { podTemplate: rendered.revision }, d);
  assert.equal(again.revision, rendered.revision);
  assert.equal(prepare(cb, r, undefined, d).revision, rendered.revision);
  assert.equal(renderDeployment(cb, again).spec?.template, d.spec?.template);

  // A new image: revision 2, app version 2.
  const { cb: cb2, r: r2 } = resolved({ image: 'app:2' });
  const rolled = prepare(cb2, r2, { podTemplate: rendered.revision }, d);
  assert.is(rolled.revision?.revision, 2);
  assert.match(
    renderDeployment(cb2, rolled).spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'JAVA_TOOL_OPTIONS')
      ?.value ?? '',
    '-Dpekko.cluster.app-version=2',
  );
});

test('revisionOf: a missing or unparsable annotation is no record', () => {
  const d = (v?: string): V1Deployment => ({
    metadata: { annotations: v ? { [TEMPLATE_REVISION_ANNOTATION]: v } : {} },
  });
  assert.is(revisionOf(undefined), undefined);
  assert.is(revisionOf(d()), undefined);
  assert.is(revisionOf(d('{not json')), undefined);
  assert.is(revisionOf(d('{"revision":-1,"hash":"a"}')), undefined);
  assert.equal(revisionOf(d('{"revision":2,"hash":"a","appVersion":"2"}')), {
    revision: 2,
    hash: 'a',
    appVersion: '2',
  });
});

test.run();
