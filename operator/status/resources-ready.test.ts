import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resourcesReady } from './resources-ready.ts';

const reason = (s: Parameters<typeof resourcesReady>[0]) => resourcesReady(s).reason;

test('the first that holds wins: invalid spec, paused, conflict, apply failed, waiting for the shared RBAC, applied', () => {
  const all = {
    invalidSpec: 'spec.replicas: must be >= 0',
    paused: true,
    conflicts: ['x'],
    failures: ['y'],
    sharedRbacReady: false,
  };
  assert.is(reason(all), 'InvalidSpec');
  assert.is(reason({ ...all, invalidSpec: undefined }), 'Paused');
  assert.is(reason({ ...all, invalidSpec: undefined, paused: false }), 'Conflict');
  assert.is(reason({ ...all, invalidSpec: undefined, paused: false, conflicts: [] }), 'ApplyFailed');
  assert.is(reason({ conflicts: [], sharedRbacReady: false }), 'Progressing');
  assert.is(reason({ conflicts: [], sharedRbacReady: true }), 'Applied');
});

test('only Applied is True; the messages carry what the caller found', () => {
  assert.equal(resourcesReady({ sharedRbacReady: true }).status, 'True');
  const invalid = resourcesReady({ invalidSpec: 'spec.replicas: must be >= 0' });
  assert.equal(
    [invalid.type, invalid.status, invalid.message],
    [
      'ResourcesReady',
      'False',
      'spec.replicas: must be >= 0. The children are kept as they are until the spec is fixed.',
    ],
  );
  const failed = resourcesReady({
    failures: ['apply Deployment shop/demo: 403 denied by policy'],
    waiting: ['Role pod-reader is not applied until Deployment demo is in place'],
  });
  assert.is(
    failed.message,
    'apply Deployment shop/demo: 403 denied by policy; Role pod-reader is not applied until Deployment demo is in place',
  );
  assert.is(
    resourcesReady({ conflicts: ['Deployment demo: a', 'Role pod-reader: b'] }).message,
    'Deployment demo: a; Role pod-reader: b',
  );
});

test.run();
