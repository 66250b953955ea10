// Every setting the operator hands the pods or the agent reads, once: Pekko key, env names, type, default, meaning,
// and what the operator writes. The order is the order of the rendered env vars and -D flags (a changed order
// changes every Deployment's pod template, which rolls every cluster), and of the table in docs/agent.md.
// docs/architecture.md says how to add one.
import { DEFAULT_POD_LABEL_SELECTOR } from '../discovery/selector.ts';
import { DEFAULT_MANAGEMENT_PORT, DEFAULT_REMOTING_PORT } from '../protocol/address.ts';
import { pekkoSetting, type Setting, setting } from './setting.ts';
import { SPLIT_BRAIN_SETTINGS } from './split-brain.ts';
import { boolean, decimal, duration, host, integer, list, matching, oneOf, text } from './value-types.ts';

const CPD = 'pekko.management.cluster.bootstrap.contact-point-discovery';
const CP = 'pekko.management.cluster.bootstrap.contact-point';
const K8S = 'pekko.discovery.kubernetes-api';
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const PORT = integer(1, 65535);

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Settings only Pekko reads (`workload: pekko`): system properties, before the shared ones. */
export const PEKKO_SETTINGS = {
  discoveryMethod: pekkoSetting({
    key: `${CPD}.discovery-method`,
    type: text,
    doc: "Pekko's discovery method",
    render: { value: () => 'kubernetes-api', to: ['pekko'], from: '`kubernetes-api`' },
  }),
  // Revision-scoped (operator/lifecycle/revision.ts): decided once per rolling change of the pod template.
  appVersion: pekkoSetting({
    key: 'pekko.cluster.app-version',
    type: text,
    doc: 'the app version cluster sharding prefers for new shards; a counter that only rises',
    render: {
      value: (r) => r.revision?.appVersion,
      to: ['pekko'],
      from: '`status.podTemplate.revision` (`spec.lifecycle.appVersion`)',
    },
  }),
  // Written only with spec.splitBrainResolver (split-brain.ts).
  ...SPLIT_BRAIN_SETTINGS,
};

/** Settings the agent reads (and Pekko too, where they have a key). */
export const SETTINGS = {
  // The pod's identity, from the downward API.
  podIP: setting({
    env: 'POD_IP',
    type: host,
    doc: 'the pod IP: the default of both host names',
    render: { field: 'status.podIP', from: 'the pod IP' },
  }),
  podName: setting({
    env: 'POD_NAME',
    type: text,
    doc: 'the pod name, on every log line',
    render: { field: 'metadata.name', from: 'the pod name' },
  }),
  kubernetesNamespace: setting({
    env: 'KUBERNETES_NAMESPACE',
    type: text,
    doc: "the pods' namespace (else the service-account `namespace` file, else `default`)",
    render: { field: 'metadata.namespace', from: "the pod's namespace" },
  }),
  actorSystemName: setting({
    env: 'PEKKO_ACTOR_SYSTEM_NAME',
    type: matching(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, "letters, digits, '-' and '_', starting with a letter or digit"),
    defaultDoc: 'required',
    doc: 'the actor system name in node addresses (`[A-Za-z0-9][A-Za-z0-9_-]*`)',
    render: { value: (r) => r.actorSystemName, to: ['agent'], from: '`spec.actorSystemName`' },
  }),
  roles: setting({
    key: 'pekko.cluster.roles',
    type: list,
    default: [],
    defaultDoc: 'empty',
    doc: 'comma-separated roles; `dc-default` is always added',
  }),

  // Cluster Bootstrap: contact-point discovery, probing, the decision.
  serviceName: setting({
    key: `${CPD}.service-name`,
    aliases: ['PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME'],
    type: text,
    defaultDoc: 'actor system name lower-cased, ` ` and `_` as `-`',
    doc: "the lookup's service name (`%s` in the selector); the full key wins over the short name",
    render: { field: "metadata.labels['app']", name: 'PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME', from: 'label `app`' },
  }),
  portName: setting({
    key: `${CPD}.port-name`,
    aliases: ['PEKKO_CLUSTER_BOOTSTRAP_PORT_NAME'],
    type: text,
    doc: 'contact-point port name; unset: one contact point per pod on the management port',
    render: { value: (r) => r.managementPortName, to: ['pekko', 'agent'], from: '`spec.management.portName`' },
  }),
  requiredContactPointNr: setting({
    key: `${CPD}.required-contact-point-nr`,
    type: integer(1, 100_000),
    default: 2,
    doc: 'confirmed contact points needed to form',
    render: {
      value: (r) => (r.requiredContactPointsFixed ? r.requiredContactPoints : undefined),
      to: ['pekko', 'agent'],
      from: '`spec.bootstrap.requiredContactPoints` (default: the first non-zero replica count)',
    },
  }),
  stableMargin: setting({
    key: `${CPD}.stable-margin`,
    type: duration(0),
    default: 5000,
    doc: 'how long the contact points must stay the same before forming',
    render: { value: (r) => r.stableMargin, to: ['pekko', 'agent'], from: '`spec.bootstrap.stableMargin`' },
  }),
  discoveryInterval: setting({ key: `${CPD}.interval`, type: duration(), default: 1000, doc: 'lookup interval' }),
  backoffMax: setting({
    key: `${CPD}.exponential-backoff-max`,
    type: duration(),
    default: 15_000,
    doc: 'backoff cap after failed lookups',
  }),
  backoffRandomFactor: setting({
    key: `${CPD}.exponential-backoff-random-factor`,
    type: decimal(0, 1),
    default: 0.2,
    doc: 'backoff jitter',
  }),
  resolveTimeout: setting({ key: `${CPD}.resolve-timeout`, type: duration(), default: 3000, doc: 'pod-list timeout' }),
  contactWithAllContactPoints: setting({
    key: `${CPD}.contact-with-all-contact-points`,
    type: boolean(),
    default: true,
    doc: 'form only when every discovered point answered',
  }),
  probeInterval: setting({
    key: `${CP}.probe-interval`,
    type: duration(),
    default: 1000,
    doc: 'probe interval per contact point (also the decision interval)',
  }),
  probeIntervalJitter: setting({
    key: `${CP}.probe-interval-jitter`,
    type: decimal(0, 1),
    default: 0.2,
    doc: 'probe jitter (next probe after 1.0-1.2 intervals)',
  }),
  probingFailureTimeout: setting({
    key: `${CP}.probing-failure-timeout`,
    type: duration(),
    default: 3000,
    doc: 'probe timeout; silent points are dropped; older answers ignored',
  }),
  // Revision-scoped (operator/lifecycle/revision.ts): off for the pods of each revision started after the cluster
  // formed, on again for a cold start (operator/lifecycle/formation.ts).
  newClusterEnabled: setting({
    key: 'pekko.management.cluster.bootstrap.new-cluster-enabled',
    type: boolean('on-off'),
    default: true,
    doc: 'may the lowest node form a new cluster',
    render: {
      value: (r) => r.revision?.newClusterEnabled ?? r.newClusterEnabled,
      to: ['pekko', 'agent'],
      from: '`status.podTemplate.newClusterEnabled` (`spec.bootstrap.newClusterEnabled`, then off once formed)',
    },
  }),

  // Kubernetes API discovery.
  podLabelSelector: setting({
    key: `${K8S}.pod-label-selector`,
    type: text,
    default: DEFAULT_POD_LABEL_SELECTOR,
    doc: '`%s` is the service name',
    render: {
      value: (r) => r.podLabelSelectorTemplate,
      to: ['pekko', 'agent'],
      from: '`spec.bootstrap.podLabelSelector`',
    },
  }),
  useRawIp: setting({
    key: `${K8S}.use-raw-ip`,
    type: boolean(),
    default: false,
    doc: 'contact-point host is the pod IP',
    // The pod IP rather than <dashed-ip>.<ns>.pod.cluster.local: no dependence on DNS pod records (CoreDNS serves
    // them only with `pods insecure`; the local cluster has no DNS), and the IP is what status shows.
    render: { value: () => true, to: ['pekko', 'agent'], from: 'always `true`' },
  }),
  podNamespace: setting({ key: `${K8S}.pod-namespace`, type: text, doc: 'wins over `KUBERNETES_NAMESPACE`' }),
  podNamespacePath: setting({
    key: `${K8S}.pod-namespace-path`,
    type: text,
    default: `${SA}/namespace`,
    doc: 'namespace file',
  }),
  apiCaPath: setting({
    key: `${K8S}.api-ca-path`,
    type: text,
    default: `${SA}/ca.crt`,
    doc: 'the only CA trusted for the API server',
  }),
  apiTokenPath: setting({
    key: `${K8S}.api-token-path`,
    type: text,
    default: `${SA}/token`,
    doc: 'bearer token, re-read on every call',
  }),
  apiServiceHostEnvName: setting({
    key: `${K8S}.api-service-host-env-name`,
    type: text,
    default: 'KUBERNETES_SERVICE_HOST',
    doc: 'the env var that holds the API server host',
  }),
  apiServicePortEnvName: setting({
    key: `${K8S}.api-service-port-env-name`,
    type: text,
    default: 'KUBERNETES_SERVICE_PORT',
    doc: 'the env var that holds the API server port',
  }),
  podDomain: setting({
    key: `${K8S}.pod-domain`,
    type: text,
    default: 'cluster.local',
    doc: 'for `<a-b-c-d>.<ns>.pod.<domain>` hosts',
  }),
  containerName: setting({
    key: `${K8S}.container-name`,
    type: text,
    doc: 'skip pods whose container of this name is waiting',
  }),

  // Pekko Management's HTTP server.
  managementHostname: setting({
    key: 'pekko.management.http.hostname',
    type: host,
    defaultDoc: '`$POD_IP`',
    doc: 'management host: what "self" means in the decision',
    render: { value: () => '$(POD_IP)', to: ['pekko', 'agent'], from: '`$(POD_IP)`' },
  }),
  managementPort: setting({
    key: 'pekko.management.http.port',
    type: PORT,
    default: DEFAULT_MANAGEMENT_PORT,
    doc: 'management port',
    render: { value: (r) => r.managementPort, to: ['pekko', 'agent'], from: '`spec.management.port`' },
  }),
  managementBindHostname: setting({
    key: 'pekko.management.http.bind-hostname',
    type: text,
    defaultDoc: 'the management host',
    doc: 'where the management server listens',
  }),
  managementBindPort: setting({
    key: 'pekko.management.http.bind-port',
    type: PORT,
    defaultDoc: 'the management port',
    doc: 'where the management server listens',
  }),

  // Remoting: this node's address.
  remotingHostname: setting({
    key: 'pekko.remote.artery.canonical.hostname',
    type: host,
    defaultDoc: '`$POD_IP`',
    doc: "host in this node's address `pekko://<system>@<host>:<port>`",
    render: { value: () => '$(POD_IP)', to: ['pekko', 'agent'], from: '`$(POD_IP)`' },
  }),
  remotingPort: setting({
    key: 'pekko.remote.artery.canonical.port',
    type: PORT,
    default: DEFAULT_REMOTING_PORT,
    doc: "port in the node's address (Pekko listens on it; the agent only names itself with it)",
    render: { value: (r) => r.remotingPort, to: ['pekko', 'agent'], from: '`spec.remoting.port`' },
  }),

  // The agent's own.
  managementAlsoLocalhost: setting({
    env: 'AGENT_MANAGEMENT_ALSO_LOCALHOST',
    type: boolean(),
    default: false,
    doc: 'also listen on `127.0.0.1:<bind port>` (sidecar use; a failed bind is a warning)',
    render: { value: () => true, to: ['sidecar'], from: '`true` in the sidecar' },
  }),
  // Membership on the Kubernetes API (docs/membership.md).
  membershipName: setting({
    env: 'AGENT_MEMBERSHIP_NAME',
    type: matching(
      /^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
      "a Kubernetes object name (lower case letters, digits, '-' and '.')",
    ),
    defaultDoc: 'the service name',
    doc: "the cluster's ClusterMembership, which the operator creates",
    render: { value: (r) => r.name, to: ['agent'], from: "the ClusterBootstrap's name" },
  }),
  apiContactInterval: setting({
    env: 'AGENT_API_CONTACT_INTERVAL',
    type: duration(100),
    default: 10_000,
    doc: 'how often a member confirms its membership with a consistent read',
  }),
  apiContactTimeout: setting({
    env: 'AGENT_API_CONTACT_TIMEOUT',
    type: duration(100),
    default: 15_000,
    doc: 'no successful API request for this long: the member stops claiming membership (must exceed interval + request timeout)',
  }),
  removalMargin: setting({
    env: 'AGENT_REMOVAL_MARGIN',
    type: duration(),
    default: 17_000,
    defaultDoc: '`17s`, or the least allowed for a longer contact timeout',
    doc: 'a challenge unanswered this long removes the member; at least (1+ρ)(timeout/(1−ρ) + 1 s), else refused',
  }),
  joinGrace: setting({
    env: 'AGENT_JOIN_GRACE',
    type: duration(0),
    default: 10_000,
    doc: "a new member's pod not yet Ready is no reason to challenge it",
  }),
  apiRequestTimeout: setting({
    env: 'AGENT_API_REQUEST_TIMEOUT',
    type: duration(100),
    default: 3000,
    doc: 'deadline of each membership request',
  }),
  logLevel: setting({ env: 'LOG_LEVEL', type: oneOf(LOG_LEVELS), default: 'info', doc: 'the least level logged' }),
};

/** Every setting, in the order the operator writes them. */
export const ALL_SETTINGS: readonly Setting[] = [...Object.values(PEKKO_SETTINGS), ...Object.values(SETTINGS)];

/** The first env name of each setting the agent reads: ENV.stableMargin is the variable to set. */
export const ENV = Object.fromEntries(Object.entries(SETTINGS).map(([id, s]) => [id, s.env[0]])) as Readonly<
  Record<keyof typeof SETTINGS, string>
>;
