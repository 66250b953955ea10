// Install like users do (issue 7): the chart on the local cluster, the operator as a pod under the chart's own
// ServiceAccount and RBAC (the local kubelet gives it the service-account files, so it goes in-cluster), a
// ClusterBootstrap that forms under it, `helm test`, and `helm uninstall`. The release watches only its own
// namespace (the chart's namespaced mode), so it never touches what other suites create on the shared cluster.
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterLayout, ensureCrd, kubectl, loudly, REPO_ROOT, waitFor, withNamespace } from '../lib/index.ts';

let helmBin = '';
const helm = (args: string[], timeoutMs = 240_000) =>
  execFileSync(helmBin, [...args, '--kubeconfig', clusterLayout().kubeconfig], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

test.before(
  loudly('apply the CRD and find helm', async () => {
    await ensureCrd();
    helmBin =
      execFileSync(`${REPO_ROOT}/local-cluster/ensure-helm.sh`, { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  }),
);

const json = async (args: string[], ns: string) =>
  JSON.parse((await kubectl([...args, '-o', 'json'], { namespace: ns })).stdout);

test('helm install, a cluster forms under the chart-installed operator, helm test, helm uninstall', () =>
  withNamespace(
    async (ns) => {
      helm([
        'upgrade',
        '--install',
        'pbo',
        'charts/pekko-bootstrap-operator',
        '--namespace',
        ns,
        '--set',
        `watchNamespaces={${ns}}`,
        '--set',
        'image.repository=pekko-bootstrap-operator',
        '--set',
        'image.tag=dev',
        '--wait',
        '--timeout',
        '180s',
      ]);
      const ops = await json(['get', 'pods', '-l', 'app.kubernetes.io/name=pekko-bootstrap-operator'], ns);
      assert.is(ops.items.length, 1, 'one operator pod');
      const sa = ops.items[0].spec.serviceAccountName;
      assert.ok(sa?.startsWith('pbo'), `the operator runs under the chart's ServiceAccount, not ${sa}`);

      await kubectl(['apply', '-f', '-'], {
        namespace: ns,
        input: `apiVersion: bootstrap.pekko-operator.dev/v1alpha1
kind: ClusterBootstrap
metadata: {name: demo}
spec: {image: pekko-bootstrap-agent:dev, workload: agent, replicas: 3}
`,
      });
      const cb = await waitFor(
        async () => {
          const c = await json(['get', 'cb', 'demo'], ns);
          if (c.status?.phase !== 'Formed') throw new Error(`phase ${c.status?.phase}: ${c.status?.message}`);
          return c;
        },
        { what: 'the ClusterBootstrap to be Formed under the Helm-installed operator', timeoutMs: 180_000 },
      );
      assert.is(cb.status.members, 3);
      // The chart's RBAC was enough to create the shared Role and RoleBinding (it needs pods get/list/watch itself).
      const binding = await json(['get', 'rolebinding', 'read-pods'], ns);
      assert.equal(binding.subjects, [{ kind: 'ServiceAccount', name: 'demo', namespace: ns }]);

      // The chart's RBAC is also enough for lease-majority: the Lease created, and the Role that lets the pods get and
      // update it (Kubernetes lets the operator grant that only because it holds both itself).
      await kubectl(['apply', '-f', '-'], {
        namespace: ns,
        input: `apiVersion: bootstrap.pekko-operator.dev/v1alpha1
kind: ClusterBootstrap
metadata: {name: sbr}
spec: {image: app:1, replicas: 0, splitBrainResolver: {strategy: lease-majority}}
`,
      });
      await waitFor(
        async () => {
          const c = await json(['get', 'cb', 'sbr'], ns);
          const lease = c.status?.conditions?.find((x: { type: string }) => x.type === 'LeaseReady');
          if (lease?.reason !== 'Free') throw new Error(`LeaseReady ${lease?.reason}: ${lease?.message}`);
          return c;
        },
        { what: 'LeaseReady Free under the Helm-installed operator', timeoutMs: 60_000 },
      );
      assert.equal((await json(['get', 'role', 'sbr-sbr-lease'], ns)).rules[0].verbs, ['get', 'update']);
      assert.is((await json(['get', 'lease', 'sbr-pekko-sbr'], ns)).spec.holderIdentity, '');

      const out = helm(['test', 'pbo', '--namespace', ns, '--timeout', '120s']);
      assert.match(out, /Phase:\s+Succeeded/);

      helm(['uninstall', 'pbo', '--namespace', ns, '--wait', '--timeout', '120s']);
      await waitFor(
        async () =>
          (await json(['get', 'deployments', '-l', 'app.kubernetes.io/name=pekko-bootstrap-operator'], ns)).items
            .length === 0,
        { what: 'the operator Deployment to go with the release', timeoutMs: 60_000 },
      );
      // Uninstalling the operator leaves the user's ClusterBootstrap and its cluster alone.
      assert.is((await json(['get', 'cb', 'demo'], ns)).status.phase, 'Formed');
    },
    { prefix: 'helm' },
  ));

test.run();
