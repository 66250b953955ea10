// The operator's API use (api-access.ts) against the table of watched kinds and the docs' tables. The chart's rules
// are compared with it in charts/tests/render-default.test.ts.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accessTriples, leaseAccess, reconcileAccess } from './api-access.ts';
import { WATCHED } from './controller/kinds.ts';

const all = accessTriples([...reconcileAccess(), ...leaseAccess()]);

test('every watched kind is listed and watched; what is applied may be read, created, patched and deleted', () => {
  for (const kind of Object.values(WATCHED)) {
    const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '';
    const applied = 'render' in kind || kind.role === 'shared';
    for (const verb of ['list', 'watch', ...(applied ? ['get', 'create', 'patch', 'delete'] : [])]) {
      assert.ok(all.includes(`${group}/${kind.plural}:${verb}`), `${group}/${kind.plural}:${verb}`);
    }
  }
});

test('nothing the operator does not call: no update, no get on the resources, events only created', () => {
  for (const t of [
    'bootstrap.pekko-operator.dev/clusterbootstraps:get',
    'bootstrap.pekko-operator.dev/clusterbootstraps/status:update',
    'bootstrap.pekko-operator.dev/clusterbootstraps/status:get',
    'events.k8s.io/events:patch',
  ]) {
    assert.not.ok(all.includes(t), t);
  }
});

/** The rows of the markdown table in the section `heading`, as triples ("`""`" is the core group). */
function docTriples(file: string, heading: string): string[] {
  const text = readFileSync(new URL(`../docs/${file}`, import.meta.url), 'utf8');
  const from = text.slice(text.indexOf(heading));
  // Up to the next section: other tables of the page are not RBAC rows.
  const end = from.indexOf('\n## ', 1);
  const section = end > 0 ? from.slice(0, end) : from;
  const rows = section
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('| `'));
  const out: string[] = [];
  for (const row of rows) {
    const [group, resources, verbs] = row
      .split('|')
      .slice(1, 4)
      .map((c) => c.trim());
    const g = (group ?? '').replaceAll('`', '').replace('""', '');
    for (const r of (resources ?? '').replaceAll('`', '').split(',')) {
      for (const v of (verbs ?? '').split(',')) out.push(`${g}/${r.trim()}:${v.trim()}`);
    }
  }
  return out.sort();
}

test("docs/operator.md's and docs/operations.md's RBAC tables say exactly this", () => {
  assert.equal(docTriples('operator.md', '## API access'), all);
  assert.equal(docTriples('operations.md', '## RBAC, rule by rule'), all);
});

test.run();
