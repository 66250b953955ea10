// What can be checked of the install scripts without a cluster or Docker: shell syntax (and shellcheck where it is
// installed), that the Helm flags the scripts pass render, and that the examples are valid ClusterBootstraps.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validate } from '../../core/api/validate.ts';
import { env, one, parseDocuments, ROOT, render } from './helm.ts';

const SCRIPTS = [
  'hack/helm-install.sh',
  'hack/demo.sh',
  'hack/images.sh',
  'local-cluster/kind/run.sh',
  'local-cluster/ensure-helm.sh',
];

for (const script of SCRIPTS) {
  test(`bash -n ${script}`, () => {
    const r = spawnSync('bash', ['-n', `${ROOT}${script}`], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
  });
}

// Registered only where shellcheck exists (Debian: apt-get install shellcheck), so a missing tool shows as fewer
// tests rather than as a pass.
if (spawnSync('shellcheck', ['--version']).status === 0) {
  test('shellcheck finds nothing in the install scripts', () => {
    const r = spawnSync(
      'shellcheck',
      SCRIPTS.map((s) => `${ROOT}${s}`),
      { encoding: 'utf8' },
    );
    assert.is(r.status, 0, r.stdout + r.stderr);
  });
} else {
  console.log('shellcheck is not installed: its test is not registered');
}

/** The `--set k=v` flags a script passes to `helm upgrade --install` (comments left out). */
function setFlags(script: string): string[] {
  const text = readFileSync(`${ROOT}${script}`, 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  const flags = [...text.matchAll(/--set ([\w.]+=[^\s\\]+)/g)].map((m) => m[1]!);
  assert.ok(flags.length > 0, `no --set flags found in ${script}`);
  return flags.flatMap((f) => ['--set', f]);
}

test('the values make helm-install passes render the operator with image pekko-bootstrap-operator:dev', () => {
  const d = one(render(setFlags('hack/helm-install.sh')), 'Deployment');
  assert.is(d.spec.template.spec.containers[0].image, 'pekko-bootstrap-operator:dev');
});

test('the values the kind script passes render the operator from the loaded image, never pulled', () => {
  const d = one(render(setFlags('local-cluster/kind/run.sh')), 'Deployment');
  const c = d.spec.template.spec.containers[0];
  assert.is(c.image, 'pekko-bootstrap-operator:dev');
  assert.is(c.imagePullPolicy, 'Never');
  assert.is(env(c, 'LEADER_ELECTION')?.value, 'false');
});

for (const example of ['demo.yaml', 'minimal.yaml']) {
  test(`docs/examples/${example}: every ClusterBootstrap in it is valid`, () => {
    const cbs = parseDocuments(readFileSync(`${ROOT}docs/examples/${example}`, 'utf8')).filter(
      (o) => o.kind === 'ClusterBootstrap',
    );
    assert.ok(cbs.length > 0);
    for (const cb of cbs) {
      assert.is(cb.apiVersion, 'bootstrap.pekko-operator.dev/v1alpha1');
      assert.equal(validate({ metadata: cb.metadata, spec: cb.spec }).errors, []);
    }
  });
}

test('docs/examples/demo.yaml: 3 agent pods on the image the local cluster maps to the agent', () => {
  const cb = one(parseDocuments(readFileSync(`${ROOT}docs/examples/demo.yaml`, 'utf8')), 'ClusterBootstrap');
  assert.equal(cb.spec, { image: 'pekko-bootstrap-agent:dev', workload: 'agent', replicas: 3 });
  const images = JSON.parse(readFileSync(`${ROOT}local-cluster/images.json`, 'utf8')) as Record<string, unknown>;
  assert.ok(images['pekko-bootstrap-agent:dev'], 'local-cluster/images.json maps pekko-bootstrap-agent:dev');
  assert.ok(images['pekko-bootstrap-operator:dev'], 'local-cluster/images.json maps pekko-bootstrap-operator:dev');
});

test.run();
