// Status follows Pekko's selector (issue 11, defect 6) on the real local cluster: contact points are the pods that
// bootstrap.podLabelSelector finds, as the agents' own pod list finds them. A selector no pod matches is named in the
// status (and the cluster indeed does not form) until the pods get the label; two resources with one serviceName are
// a conflict on the second. Agent pods, an operator process per test (docs/status.md, "Contact points").
import { CustomObjectsApi } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { applyClusterBootstrap, clients, ensureCrd, kubectl, waitFor, withOperator } from '../lib/index.ts';

const IMAGE = 'pekko-bootstrap-agent:dev';
const DUMP = { dump: { objects: ['clusterbootstraps', 'deployments'] } };

test.before(ensureCrd);

async function getCb(ns: string, name: string): Promise<ClusterBootstrap> {
  return (await clients().kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'bootstrap.pekko-operator.dev',
    version: 'v1alpha1',
    namespace: ns,
    plural: 'clusterbootstraps',
    name,
  })) as ClusterBootstrap;
}

const condition = (cb: ClusterBootstrap, type: string) => cb.status?.conditions?.find((c) => c.type === type);
const describe = (cb: ClusterBootstrap) =>
  `${cb.status?.phase}: ${cb.status?.message} / ${JSON.stringify(condition(cb, 'ContactPointsDiscovered'))}`;

/** Waits until `check` holds for the resource; the error says what the status was. */
function waitStatus(
  ns: string,
  name: string,
  what: string,
  check: (cb: ClusterBootstrap) => boolean,
  timeoutMs = 90_000,
) {
  return waitFor(
    async () => {
      const cb = await getCb(ns, name);
      if (!check(cb)) throw new Error(describe(cb));
      return cb;
    },
    { what: `${name}: ${what}`, timeoutMs, intervalMs: 500 },
  );
}

test('a selector no pod matches: named in the status, no contact points, no cluster; the label added: Formed', () =>
  withOperator(
    async (ns) => {
      const name = 'sel';
      const spec = {
        image: IMAGE,
        workload: 'agent',
        replicas: 2,
        bootstrap: { podLabelSelector: 'app=%s,tier=backend' },
        // Pods that cannot form are never Ready: a rolling update would wait for them forever.
        strategy: { type: 'Recreate' },
      };
      await applyClusterBootstrap(ns, name, spec);
      const stuck = await waitStatus(
        ns,
        name,
        'SelectorMatchesNone naming the selector',
        (cb) => condition(cb, 'ContactPointsDiscovered')?.reason === 'SelectorMatchesNone' && cb.status?.replicas === 2,
      );
      const cp = condition(stuck, 'ContactPointsDiscovered');
      assert.is(cp?.status, 'False');
      assert.match(
        cp?.message ?? '',
        "bootstrap.podLabelSelector app=sel,tier=backend matches none of this resource's",
      );
      assert.equal(stuck.status?.contactPoints, []);
      assert.is(condition(stuck, 'Ready')?.reason, 'SelectorMatchesNone');
      assert.ok(stuck.status?.phase === 'Pending' || stuck.status?.phase === 'Discovering', describe(stuck));
      console.log(`  before the label: ${stuck.status?.phase}: ${stuck.status?.message}`);

      await applyClusterBootstrap(ns, name, { ...spec, template: { metadata: { labels: { tier: 'backend' } } } });
      const formed = await waitStatus(
        ns,
        name,
        'Formed with 2 members',
        (cb) => cb.status?.phase === 'Formed' && cb.status.members === 2,
        180_000,
      );
      assert.is(condition(formed, 'ContactPointsDiscovered')?.reason, 'Discovered');
      assert.is(formed.status?.contactPoints?.length, 2);
      console.log(`  with the label: ${formed.status?.message}`);
    },
    { prefix: 'selector-none', ...DUMP },
  ));

test('two resources with one serviceName: a conflict on the second; the first says its selector finds both', () =>
  withOperator(
    async (ns) => {
      const spec = { image: IMAGE, workload: 'agent', replicas: 1, serviceName: 'orders' };
      await applyClusterBootstrap(ns, 'first', spec);
      await waitStatus(ns, 'first', 'a pod observed', (cb) => (cb.status?.contactPoints?.length ?? 0) === 1);
      await applyClusterBootstrap(ns, 'second', spec);
      const second = await waitStatus(
        ns,
        'second',
        'ServiceNameConflict',
        (cb) => condition(cb, 'ContactPointsDiscovered')?.reason === 'ServiceNameConflict',
      );
      assert.match(
        condition(second, 'ContactPointsDiscovered')?.message ?? '',
        'serviceName orders is also the serviceName of ClusterBootstrap first, created first',
      );
      assert.is(condition(second, 'Ready')?.status, 'False');
      const first = await waitStatus(
        ns,
        'first',
        'SelectorOverlap naming second',
        (cb) => condition(cb, 'ContactPointsDiscovered')?.reason === 'SelectorOverlap',
      );
      assert.match(
        condition(first, 'ContactPointsDiscovered')?.message ?? '',
        /bootstrap.podLabelSelector app=orders also matches pods of ClusterBootstrap second \(second-/,
      );
      // The second deleted: the first's selector finds its own pods only again (at its next look, within 30 s).
      await kubectl(['delete', 'clusterbootstrap', 'second', '--wait=false'], { namespace: ns });
      await waitStatus(
        ns,
        'first',
        'no conflict once the second is gone',
        (cb) => condition(cb, 'ContactPointsDiscovered')?.reason !== 'SelectorOverlap',
      );
    },
    { prefix: 'selector-conflict', ...DUMP },
  ));

test.run();
