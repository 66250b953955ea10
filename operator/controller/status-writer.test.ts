import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { statusPatch } from './status-writer.ts';

test('the merge patch: unchanged fields left out, removed ones null, objects patched field by field', () => {
  const cur: ClusterBootstrapStatus = {
    phase: 'Formed',
    members: 3,
    splitBrainResolver: { strategy: 'lease-majority', lease: { name: 'l', uid: 'u', holder: 'h' } },
  };
  assert.is(statusPatch(cur, structuredClone(cur)), undefined);
  assert.equal(statusPatch(cur, { phase: 'Formed', splitBrainResolver: { strategy: 'keep-majority' } }), {
    members: null,
    splitBrainResolver: { strategy: 'keep-majority', lease: null },
  });
  assert.equal(
    statusPatch(cur, { ...cur, splitBrainResolver: { strategy: 'lease-majority', lease: { name: 'l', uid: 'u' } } }),
    { splitBrainResolver: { lease: { holder: null } } },
  );
  assert.equal(statusPatch({ contactPoints: [] }, { contactPoints: [{ pod: 'p', host: 'h', port: 1, ready: true }] }), {
    contactPoints: [{ pod: 'p', host: 'h', port: 1, ready: true }],
  });
});

test('a key gone from a nested object is null in the patch; a gone field too; lists are replaced whole', () => {
  const cur: ClusterBootstrapStatus = {
    formation: { formedAt: 't0', seedNode: 'a', membersGoneSince: 't1' },
    scaleDown: { target: 2, replicas: 3, since: 't', waitingFor: 'x' },
    contactPoints: [{ pod: 'p1', host: 'h', port: 1, ready: true }],
  };
  const want: ClusterBootstrapStatus = {
    formation: { formedAt: 't0', seedNode: 'a', coldStart: { startedAt: 't2', cause: 'c' } },
    contactPoints: [],
  };
  assert.equal(statusPatch(cur, want), {
    formation: { membersGoneSince: null, coldStart: { startedAt: 't2', cause: 'c' } },
    scaleDown: null,
    contactPoints: [],
  });
});

test.run();
