import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENV, minRemovalMarginMs, parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';

const base = { PEKKO_ACTOR_SYSTEM_NAME: 'My_System', POD_IP: '10.0.0.5' };

test("Pekko's defaults, derived names, frozen", () => {
  const c = parseConfig(base);
  assert.is(c.serviceName, 'my-system');
  assert.equal(c.management, {
    hostname: '10.0.0.5',
    port: 7626,
    bindHostname: '10.0.0.5',
    bindPort: 7626,
    alsoLocalhost: false,
  });
  assert.equal(c.remoting, { hostname: '10.0.0.5', port: 17355 });
  assert.equal(c.membership, {
    name: 'my-system',
    contactIntervalMs: 10_000,
    contactTimeoutMs: 15_000,
    removalMarginMs: 17_000,
    joinGraceMs: 10_000,
    requestTimeoutMs: 3000,
  });
  assert.equal(c.bootstrap, {
    discoveryIntervalMs: 1000,
    backoffRandomFactor: 0.2,
    backoffMaxMs: 15_000,
    stableMarginMs: 5000,
    requiredContactPointNr: 2,
    resolveTimeoutMs: 3000,
    contactWithAllContactPoints: true,
    probeIntervalMs: 1000,
    probeIntervalJitter: 0.2,
    probingFailureTimeoutMs: 3000,
    newClusterEnabled: true,
  });
  assert.is(c.kubernetes.podLabelSelector, 'app=%s');
  assert.is(c.kubernetes.caPath, '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
  assert.is(c.kubernetes.podDomain, 'cluster.local');
  assert.is(c.kubernetes.useRawIp, false);
  assert.is(c.portName, undefined);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.bootstrap));
  assert.equal(parseConfig({ ...base, PEKKO_CLUSTER_ROLES: ' backend, ,api ' }).roles, ['backend', 'api']);
  assert.equal(c.roles, []);
});

// What the operator renders is checked on the rendered Deployment (operator/render/agent-contract.test.ts); this is
// the parser's side: Pekko's short names, derived defaults, the API server's env vars.
test('env names are read, the short ones too', () => {
  const c = parseConfig({
    ...base,
    PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME: 'shop',
    PEKKO_CLUSTER_BOOTSTRAP_PORT_NAME: 'management',
    PEKKO_MANAGEMENT_HTTP_HOSTNAME: '10.0.0.6',
    PEKKO_MANAGEMENT_HTTP_PORT: '8558',
    PEKKO_REMOTE_ARTERY_CANONICAL_PORT: '25520',
    PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_REQUIRED_CONTACT_POINT_NR: '3',
    PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_STABLE_MARGIN: '7s',
    PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_NEW_CLUSTER_ENABLED: 'false',
    PEKKO_DISCOVERY_KUBERNETES_API_POD_LABEL_SELECTOR: 'app=%s,tier=x',
    KUBERNETES_NAMESPACE: 'ns1',
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
  });
  assert.is(c.serviceName, 'shop');
  assert.is(c.portName, 'management');
  assert.is(c.management.hostname, '10.0.0.6');
  assert.is(c.management.bindPort, 8558);
  assert.is(c.remoting.port, 25520);
  assert.is(c.remoting.hostname, '10.0.0.5');
  assert.is(c.bootstrap.requiredContactPointNr, 3);
  assert.is(c.bootstrap.stableMarginMs, 7000);
  assert.is(c.bootstrap.newClusterEnabled, false);
  assert.is(c.kubernetes.podLabelSelector, 'app=%s,tier=x');
  assert.is(c.kubernetes.namespace, 'ns1');
  assert.equal([c.kubernetes.apiHost, c.kubernetes.apiPort], ['10.96.0.1', '443']);
});

test('the full Pekko key wins over the short env var; pod-namespace over KUBERNETES_NAMESPACE', () => {
  const c = parseConfig({
    ...base,
    [ENV.serviceName]: 'from-key',
    PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME: 'from-env',
    [ENV.podNamespace]: 'a',
    KUBERNETES_NAMESPACE: 'b',
  });
  assert.is(c.serviceName, 'from-key');
  assert.is(c.kubernetes.namespace, 'a');
});

test('a bad value throws a ConfigError naming the variable', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ POD_IP: '1.2.3.4' }, 'PEKKO_ACTOR_SYSTEM_NAME', /is required/],
    [{ PEKKO_ACTOR_SYSTEM_NAME: '-bad' }, 'PEKKO_ACTOR_SYSTEM_NAME', /letters/],
    [{ PEKKO_ACTOR_SYSTEM_NAME: 'A' }, 'PEKKO_MANAGEMENT_HTTP_HOSTNAME', /required when POD_IP is unset/],
    [{ ...base, PEKKO_MANAGEMENT_HTTP_PORT: '0' }, 'PEKKO_MANAGEMENT_HTTP_PORT', /integer from 1 to 65535/],
    [{ ...base, PEKKO_MANAGEMENT_HTTP_PORT: '80a' }, 'PEKKO_MANAGEMENT_HTTP_PORT', /integer/],
    [{ ...base, [ENV.requiredContactPointNr]: '0' }, ENV.requiredContactPointNr, /from 1/],
    [{ ...base, [ENV.stableMargin]: '5 parsecs' }, ENV.stableMargin, /duration/],
    [{ ...base, [ENV.newClusterEnabled]: 'maybe' }, ENV.newClusterEnabled, /true or false/],
    [{ ...base, [ENV.probeIntervalJitter]: '2' }, ENV.probeIntervalJitter, /from 0 to 1/],
    [{ ...base, LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [
      { ...base, AGENT_API_CONTACT_TIMEOUT: '12s' },
      'AGENT_API_CONTACT_TIMEOUT',
      /longer than AGENT_API_CONTACT_INTERVAL \+ AGENT_API_REQUEST_TIMEOUT \(13000ms\)/,
    ],
    [
      { ...base, AGENT_REMOVAL_MARGIN: '16s' },
      'AGENT_REMOVAL_MARGIN',
      /at least 16032ms .* two members could both claim to be the oldest/,
    ],
    [{ ...base, AGENT_MEMBERSHIP_NAME: 'Shop_1' }, 'AGENT_MEMBERSHIP_NAME', /Kubernetes object name/],
    [
      { ...base, PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME: 'Shop' },
      'AGENT_MEMBERSHIP_NAME',
      /unset, it is the service name/,
    ],
  ];
  for (const [env, variable, message] of cases) {
    try {
      parseConfig(env);
      assert.unreachable(variable);
    } catch (err) {
      assert.instance(err, ConfigError, variable);
      assert.is((err as ConfigError).variable, variable);
      assert.is((err as ConfigError).code, 'BadConfig');
      assert.match((err as Error).message, new RegExp(`^${variable}: `));
      assert.match((err as Error).message, message);
    }
  }
});

test('the removal margin bound: (1+rho)(timeout/(1-rho) + 1 s); a longer contact timeout raises the default margin', () => {
  assert.is(minRemovalMarginMs(15_000), 16_032);
  const c = parseConfig({ ...base, AGENT_API_CONTACT_TIMEOUT: '30s' });
  assert.is(c.membership.removalMarginMs, minRemovalMarginMs(30_000));
  assert.is(parseConfig({ ...base, AGENT_REMOVAL_MARGIN: '16032ms' }).membership.removalMarginMs, 16_032);
  assert.is(parseConfig({ ...base, AGENT_MEMBERSHIP_NAME: 'shop-1' }).membership.name, 'shop-1');
});

test('booleans: true/false, on/off, yes/no, any case', () => {
  for (const [v, b] of [
    ['on', true],
    ['OFF', false],
    ['yes', true],
    ['no', false],
  ] as const) {
    assert.is(parseConfig({ ...base, [ENV.newClusterEnabled]: v }).bootstrap.newClusterEnabled, b, v);
  }
});

test.run();
