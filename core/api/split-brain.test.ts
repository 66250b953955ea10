// spec.splitBrainResolver: what validate() accepts and refuses (the CEL twins and the schema), and what resolve()
// hands the pods. The same rules reach the API server through the CRD (test-e2e/suites/api.e2e.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from './resolve.ts';
import type { ClusterBootstrapSpec } from './types.ts';
import { validate } from './validate.ts';

const check = (sbr: unknown, extra: Record<string, unknown> = {}, name = 'shop') =>
  validate({
    metadata: { name, namespace: 'ns' },
    spec: { image: 'app:1', splitBrainResolver: sbr, ...extra } as ClusterBootstrapSpec,
  });
const errorsOf = (sbr: unknown, extra: Record<string, unknown> = {}) => check(sbr, extra).errors;

test("every strategy Pekko knows is accepted; stableAfter defaults to Pekko's 20s", () => {
  for (const strategy of ['keep-majority', 'lease-majority', 'keep-oldest', 'down-all']) {
    const { spec, errors } = check({ strategy });
    assert.equal(errors, [], strategy);
    assert.is(spec?.splitBrainResolver?.stableAfter, '20s');
  }
  assert.equal(errorsOf({ strategy: 'static-quorum', staticQuorum: { quorumSize: 2 } }), []);
  assert.equal(errorsOf({ strategy: 'keep-oldest', keepOldest: { downIfAlone: false }, stableAfter: '7s' }), []);
  const lease = {
    leaseName: 'shop-lease',
    acquireLeaseDelayForMinority: '3s',
    releaseAfter: '1m',
    heartbeatTimeout: '30s',
    leaseOperationTimeout: '500ms',
  };
  assert.equal(errorsOf({ strategy: 'lease-majority', leaseMajority: lease }), []);
});

test('what Pekko refuses at startup is refused with the field and the fix', () => {
  const cases: [unknown, RegExp][] = [
    [{ strategy: 'majority' }, /spec\.splitBrainResolver\.strategy: must be one of keep-majority, lease-majority/],
    [{}, /spec\.splitBrainResolver\.strategy: is required/],
    [{ strategy: 'static-quorum' }, /staticQuorum\.quorumSize is required with strategy static-quorum.*set it/],
    [
      { strategy: 'static-quorum', staticQuorum: {} },
      /spec\.splitBrainResolver\.staticQuorum\.quorumSize: is required/,
    ],
    [{ strategy: 'static-quorum', staticQuorum: { quorumSize: 0 } }, /quorumSize: must be >= 1/],
    [{ strategy: 'keep-majority', stableAfter: '20 seconds' }, /stableAfter must be a whole number and a unit/],
    [{ strategy: 'keep-majority', stableAfter: '-1s' }, /stableAfter must be a whole number and a unit/],
    [
      { strategy: 'lease-majority', leaseMajority: { heartbeatTimeout: '10s' } },
      /heartbeatTimeout must be .*longer than 10s/,
    ],
    [
      { strategy: 'lease-majority', leaseMajority: { heartbeatTimeout: '2m0s' } },
      /heartbeatTimeout must be a whole number and a unit/,
    ],
    [
      { strategy: 'lease-majority', leaseMajority: { leaseOperationTimeout: '0s' } },
      /leaseOperationTimeout .*more than 0/,
    ],
    [
      { strategy: 'lease-majority', leaseMajority: { acquireLeaseDelayForMinority: '2' } },
      /acquireLeaseDelayForMinority/,
    ],
    [{ strategy: 'lease-majority', leaseMajority: { releaseAfter: '40' } }, /releaseAfter must be a whole number/],
    [{ strategy: 'lease-majority', leaseMajority: { leaseName: 'My_Lease' } }, /leaseName must be lower-case/],
    [{ strategy: 'lease-majority', leaseMajority: { leaseName: 'x'.repeat(64) } }, /leaseName: must be at most 63/],
  ];
  for (const [sbr, want] of cases) {
    const errors = errorsOf(sbr);
    assert.ok(
      errors.some((e) => want.test(e)),
      `${JSON.stringify(sbr)}: ${JSON.stringify(errors)} should match ${want}`,
    );
  }
});

test("a strategy's settings with another strategy do nothing, so they are refused", () => {
  assert.match(
    errorsOf({ strategy: 'keep-majority', staticQuorum: { quorumSize: 2 } }).join(),
    'spec.splitBrainResolver.staticQuorum applies to strategy static-quorum only: remove it, or set strategy static-quorum',
  );
  assert.match(
    errorsOf({ strategy: 'lease-majority', keepOldest: {} }).join(),
    'keepOldest applies to strategy keep-oldest only',
  );
  assert.match(
    errorsOf({ strategy: 'keep-oldest', leaseMajority: { leaseName: 'x' } }).join(),
    'leaseMajority applies to strategy lease-majority only',
  );
});

test('workload agent refuses the field and says what the agent does instead', () => {
  const errors = errorsOf({ strategy: 'keep-majority' }, { workload: 'agent' });
  assert.equal(errors.length, 1);
  assert.match(errors[0] as string, /^spec\.splitBrainResolver is for workload pekko only/);
  assert.match(
    errors[0] as string,
    /its own membership rules, docs\/membership\.md\): remove spec\.splitBrainResolver/,
  );
});

test('resolve: the settings handed over, and the lease name Pekko would use', () => {
  const resolved = (sbr: unknown, name = 'shop') => {
    const { spec, errors } = check(sbr, { actorSystemName: 'shop' }, name);
    if (!spec) throw new Error(errors.join('; '));
    return resolve({ metadata: { name, namespace: 'ns' } }, spec).splitBrainResolver;
  };
  assert.equal(resolved({ strategy: 'keep-majority' }), { strategy: 'keep-majority', stableAfter: '20s' });
  assert.equal(resolved({ strategy: 'static-quorum', staticQuorum: { quorumSize: 3 }, stableAfter: '5s' }), {
    strategy: 'static-quorum',
    stableAfter: '5s',
    quorumSize: 3,
  });
  assert.equal(resolved({ strategy: 'keep-oldest' }), {
    strategy: 'keep-oldest',
    stableAfter: '20s',
    downIfAlone: true,
  });
  assert.equal(resolved({ strategy: 'lease-majority' }, 'shop.eu'), {
    strategy: 'lease-majority',
    stableAfter: '20s',
    lease: { name: 'shop-eu-pekko-sbr', heartbeatTimeout: '120s', heartbeatTimeoutSet: false },
  });
  // A name within the 63 the resource may have, but too long with Pekko's suffix.
  const long = 'a'.repeat(60);
  assert.is(resolved({ strategy: 'lease-majority' }, long)?.lease?.name.length, 63);
  assert.equal(
    resolved({ strategy: 'lease-majority', leaseMajority: { leaseName: 'mine', heartbeatTimeout: '30s' } })?.lease,
    { name: 'mine', heartbeatTimeout: '30s', heartbeatTimeoutSet: true },
  );
  assert.is(resolve({ metadata: { name: 'x' } }, { image: 'a' }).splitBrainResolver, undefined);
});

test.run();
