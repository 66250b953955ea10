// The namespace RBAC reconcile's Events: a change that only adds a member is told to that member, not to every one;
// a repair, and a change no member explains, to all.
import type { V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APPLIED_HASH_ANNOTATION } from './apply.ts';
import { cbOf, harness, NS } from './testkit.ts';

test('a resource joining read-pods gets the Event of the change; the members already bound get none', async () => {
  const h = harness();
  h.kube.put(cbOf('a'));
  await h.settle('a');
  const about = (name: string) =>
    h.kube.events
      .filter((e) => e.regarding?.name === name && /pod-reader|read-pods/.test(e.note ?? ''))
      .map((e) => e.note);
  assert.equal(about('a'), ['Created Role pod-reader, RoleBinding read-pods']);
  h.kube.put(cbOf('b'));
  await h.settle('b');
  assert.equal(about('b'), ['Updated Role pod-reader, RoleBinding read-pods'], 'the member that joined');
  assert.equal(about('a'), ['Created Role pod-reader, RoleBinding read-pods'], 'nothing new for a');
  // A hand edit concerns every member: the repair is told to both.
  const rb = h.kube.find<V1RoleBinding>('RoleBinding', NS, 'read-pods') as V1RoleBinding;
  h.put({ ...rb, subjects: [] });
  h.kube.sync();
  await h.run(`rbac:${NS}`);
  await h.events.flush();
  assert.ok(
    about('a').some((n) => n?.startsWith('Repaired RoleBinding read-pods')),
    String(about('a')),
  );
  assert.ok(
    about('b').some((n) => n?.startsWith('Repaired RoleBinding read-pods')),
    String(about('b')),
  );
});

test('a change of the objects themselves that no member explains (a new operator version) is told to every member', async () => {
  const h = harness();
  h.kube.put(cbOf('a'));
  h.kube.put(cbOf('b'));
  await h.settle('a', 'b');
  const role = h.kube.find<V1Role>('Role', NS, 'pod-reader') as V1Role;
  // As an older operator would have left it: other rules, and the hash of what it applied then.
  h.put({
    ...role,
    metadata: { ...role.metadata, annotations: { [APPLIED_HASH_ANNOTATION]: 'older' } },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  });
  h.kube.sync();
  await h.run(`rbac:${NS}`);
  await h.events.flush();
  for (const n of ['a', 'b']) {
    const notes = h.kube.events.filter((e) => e.regarding?.name === n).map((e) => e.note);
    assert.ok(notes.includes('Updated Role pod-reader'), `${n}: ${notes}`);
  }
});

test.run();
