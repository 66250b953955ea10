// The TypeScript half of the peer's render check (the Go half runs in the benchmarks, which build the peer).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { API_VERSION, KIND } from '../../core/api/types.ts';
import { firstDifference, ourRender } from './peer.ts';

test('firstDifference names the first path that differs, undefined when equal', () => {
  assert.is(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), undefined);
  assert.is(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), '.a.1.b: 2 vs 3');
  assert.is(firstDifference({ a: 1 }, { a: 1, c: true }), '.c: undefined vs true');
});

test("ourRender gives each resource's children and the namespace's shared RBAC, as plain JSON", () => {
  const cb = (name: string) => ({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: 'ns', uid: `u-${name}` },
    spec: { image: 'x:1', replicas: 3 },
  });
  const out = ourRender([cb('b'), cb('a')] as never) as {
    children: { deployment: { metadata: { name: string } }; serviceAccount: unknown }[];
    rbac: { roleBinding: { subjects: { name: string }[] } };
  };
  assert.equal(
    out.children.map((c) => c.deployment.metadata.name),
    ['b', 'a'],
  );
  assert.ok(out.children.every((c) => c.serviceAccount));
  assert.equal(
    out.rbac.roleBinding.subjects.map((s) => s.name),
    ['a', 'b'],
  );
});

test.run();
