import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stale } from '../../hack/generate.ts';
import { buildCrd } from './crd.ts';
import { buildMembershipCrd } from './membership.ts';
import { type SchemaNode, specSchema } from './schema.ts';
import { statusSchema } from './schema-status.ts';

test('the committed generated files (CRD, chart copy, reference, settings tables) are fresh; run make generate if not', () => {
  assert.equal(stale(), []);
});

test('identity, subresources and printer columns (docs/reference.md, docs/status.md)', () => {
  const crd = buildCrd();
  assert.is(crd.metadata.name, 'clusterbootstraps.bootstrap.pekko-operator.dev');
  assert.equal(crd.spec.names.shortNames, ['cb']);
  assert.equal(crd.spec.names.categories, ['pekko']);
  const v = crd.spec.versions[0]!;
  assert.is(v.name, 'v1alpha1');
  assert.equal(v.subresources.scale, {
    specReplicasPath: '.spec.replicas',
    statusReplicasPath: '.status.replicas',
    labelSelectorPath: '.status.selector',
  });
  const columns = v.additionalPrinterColumns.filter((c) => !('priority' in c)).map((c) => c.name);
  assert.equal(columns, ['Replicas', 'Ready', 'Contact Points', 'Seed', 'Phase', 'Age']);
});

test('the ClusterMembership CRD: namespaced, a status subresource the agents write, member entries keep unknown fields', () => {
  const crd = buildMembershipCrd();
  assert.is(crd.metadata.name, 'clustermemberships.bootstrap.pekko-operator.dev');
  assert.is(crd.spec.scope, 'Namespaced');
  const v = crd.spec.versions[0]!;
  assert.equal(v.subresources, { status: {} });
  const root = v.schema.openAPIV3Schema;
  assert.equal(Object.keys(root.properties), ['apiVersion', 'kind', 'metadata', 'status']);
  const entry = root.properties.status.properties?.members?.items;
  assert.is(entry?.['x-kubernetes-preserve-unknown-fields'], true);
  assert.is(entry?.required, undefined, 'an entry missing a field is kept, not refused');
});

function walk(node: SchemaNode, path: string, out: string[]): void {
  for (const [k, child] of Object.entries(node.properties ?? {})) {
    if (!child.description || child.description.length < 10) out.push(`${path}.${k}`);
    walk(child, `${path}.${k}`, out);
    if (child.items) walk(child.items, `${path}.${k}[]`, out);
  }
}

test('every spec and status field has a description for kubectl explain', () => {
  const missing: string[] = [];
  walk(specSchema, 'spec', missing);
  walk(statusSchema, 'status', missing);
  assert.equal(missing, []);
});

test('CEL rules sit where their paths say', () => {
  const spec = buildCrd().spec.versions[0]!.schema.openAPIV3Schema;
  const stable = spec.properties?.spec?.properties?.bootstrap?.properties?.stableMargin;
  assert.ok(stable?.['x-kubernetes-validations']?.[0]?.rule.includes('matches'));
  assert.ok((spec['x-kubernetes-validations'] ?? []).length >= 2);
});

test.run();
