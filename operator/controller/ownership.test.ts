import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { API_VERSION, FIELD_MANAGER, KIND } from '../../core/api/types.ts';
import { INSTANCE_LABEL, MANAGED_BY_LABEL } from '../render/index.ts';
import { isManagedChild, isManagedShared, ownerKeys } from './ownership.ts';

const owner = { apiVersion: API_VERSION, kind: KIND, name: 'demo', uid: 'u1', controller: true };
const labelled = { [MANAGED_BY_LABEL]: FIELD_MANAGER };

test('a child is ours only with the managed-by label and a controller reference to the resource', () => {
  const meta = (labels?: Record<string, string>, refs = [owner]) => ({
    metadata: { name: 'demo', namespace: 'shop', ownerReferences: refs, ...(labels ? { labels } : {}) },
  });
  assert.ok(isManagedChild(meta(labelled), 'demo'));
  assert.not.ok(isManagedChild(meta(), 'demo'), 'a copy without our label (kubectl get -o yaml, labels stripped)');
  assert.not.ok(isManagedChild(meta({ [MANAGED_BY_LABEL]: 'helm' }), 'demo'), 'another manager');
  assert.not.ok(isManagedChild(meta(labelled), 'other'), 'another resource');
  assert.not.ok(isManagedChild(meta(labelled, [{ ...owner, controller: false }]), 'demo'), 'not the controller');
});

test('the shared Role and RoleBinding are ours with the label and any ClusterBootstrap owner', () => {
  assert.ok(isManagedShared({ metadata: { labels: labelled, ownerReferences: [{ ...owner, controller: false }] } }));
  assert.not.ok(isManagedShared({ metadata: { ownerReferences: [owner] } }), 'no label');
  assert.not.ok(isManagedShared({ metadata: { labels: labelled } }), 'no owner');
});

test('an event on a pod concerns the resource its instance label names, only on a pod we label', () => {
  const pod = (labels: Record<string, string>) => ({
    metadata: { namespace: 'shop', labels: { [INSTANCE_LABEL]: 'demo', ...labels } },
  });
  assert.equal(ownerKeys(pod(labelled)), ['shop/demo']);
  assert.equal(ownerKeys(pod({})), [], 'a pod of someone else that happens to carry the instance label');
});

test.run();
