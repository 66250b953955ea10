// The Deployment: the seed document's Pekko Deployment, built from a resolved ClusterBootstrap and the user's
// template. Pure: no client, no clock, no env.
import type {
  V1Container,
  V1ContainerPort,
  V1Deployment,
  V1DeploymentStrategy,
  V1EnvVar,
  V1PodSecurityContext,
  V1PodSpec,
  V1Probe,
  V1SecurityContext,
} from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import {
  AGENT_CONTAINER,
  APP_CONTAINER,
  type ClusterBootstrap,
  FORMATION_ANNOTATION,
  TEMPLATE_REVISION_ANNOTATION,
} from '../../core/api/types.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { agentEnv, downwardEnv, javaToolOptions, OWNED_ENV, sidecarEnv } from './env.ts';
import { childLabels, ownerRef, selectorLabels } from './labels.ts';

const REMOTING_PORT_NAME = 'remoting';

/** Pekko's recommendation: add a pod before removing one, never go below the replica count. */
export function strategyFor(user: V1DeploymentStrategy | undefined): V1DeploymentStrategy {
  if (user?.type === 'Recreate') return { type: 'Recreate' };
  return {
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0, ...user?.rollingUpdate },
  };
}

function probes(r: Resolved): { readinessProbe: V1Probe; livenessProbe: V1Probe } {
  const port = r.managementPortName;
  return {
    // Readiness is checked often: a node is Ready only once it is an Up member, and formation waits for it.
    readinessProbe: { httpGet: { path: '/ready', port }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 3 },
    livenessProbe: {
      httpGet: { path: '/alive', port },
      initialDelaySeconds: 20,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
  };
}

function bootstrapPorts(r: Resolved): V1ContainerPort[] {
  return [
    { name: r.managementPortName, containerPort: r.managementPort, protocol: 'TCP' },
    { name: REMOTING_PORT_NAME, containerPort: r.remotingPort, protocol: 'TCP' },
  ];
}

/** The user's ports minus any that would clash with ours by name or number. */
function mergePorts(user: V1ContainerPort[] | undefined, ours: V1ContainerPort[]): V1ContainerPort[] {
  const names = new Set(ours.map((p) => p.name));
  const numbers = new Set(ours.map((p) => p.containerPort));
  const kept = (user ?? []).filter((p) => !names.has(p.name) && !numbers.has(p.containerPort));
  return [...ours, ...kept];
}

/**
 * The downward-API vars first (later values expand $(POD_IP)), then the user's env in its order, then ours.
 * The user's JAVA_TOOL_OPTIONS is kept and ours appended to it; when the user takes it from a Secret or ConfigMap,
 * theirs is renamed USER_JAVA_TOOL_OPTIONS and referenced as $(USER_JAVA_TOOL_OPTIONS).
 */
function mergeEnv(user: V1EnvVar[] | undefined, ours: V1EnvVar[], javaOptions?: string): V1EnvVar[] {
  const oursNames = new Set(ours.map((e) => e.name));
  const out: V1EnvVar[] = [...downwardEnv()];
  let javaBase = '';
  for (const e of user ?? []) {
    if (OWNED_ENV.has(e.name) || oursNames.has(e.name)) continue;
    if (javaOptions !== undefined && e.name === 'JAVA_TOOL_OPTIONS') {
      if (e.valueFrom) {
        out.push({ ...e, name: 'USER_JAVA_TOOL_OPTIONS' });
        javaBase = '$(USER_JAVA_TOOL_OPTIONS) ';
      } else if (e.value) {
        javaBase = `${e.value} `;
      }
      continue;
    }
    out.push(e);
  }
  out.push(...ours);
  if (javaOptions !== undefined) out.push({ name: 'JAVA_TOOL_OPTIONS', value: `${javaBase}${javaOptions}` });
  return out;
}

const RESTRICTED_CONTAINER: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

const RESTRICTED_POD: V1PodSecurityContext = {
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Ours fill in what the user left unset, at any depth: a user's `capabilities.add` keeps our `drop: [ALL]`. The
 * user's own values win (a list is the user's whole list).
 */
function withDefaults<T extends object>(defaults: T, user: T | undefined): T {
  if (!isMap(user)) return defaults;
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(user)) {
    if (v === undefined) continue;
    const d = out[k];
    out[k] = isMap(d) && isMap(v) ? withDefaults(d, v) : v;
  }
  return out as T;
}

function appContainer(r: Resolved, user: V1Container | undefined): V1Container {
  const sidecar = r.agentImage !== undefined;
  const isAgent = r.workload === 'agent';
  const ours = isAgent && !sidecar ? agentEnv(r) : [];
  const java = r.workload === 'pekko' ? javaToolOptions(r) : undefined;
  const c: V1Container = {
    ...user,
    name: APP_CONTAINER,
    image: r.image,
    env: mergeEnv(user?.env, ours, java),
    securityContext: withDefaults(RESTRICTED_CONTAINER, user?.securityContext),
  };
  if (sidecar) {
    // The sidecar serves management and remoting; the app keeps only its own ports and probes.
    if (user?.ports) c.ports = mergePorts(user.ports, []);
    return c;
  }
  c.ports = mergePorts(user?.ports, bootstrapPorts(r));
  const p = probes(r);
  c.readinessProbe = user?.readinessProbe ?? p.readinessProbe;
  c.livenessProbe = user?.livenessProbe ?? p.livenessProbe;
  return c;
}

function agentSidecar(r: Resolved, image: string): V1Container {
  return {
    name: AGENT_CONTAINER,
    image,
    ports: bootstrapPorts(r),
    // The app beside it reads membership from http://localhost:<management port> (also served on the pod IP).
    env: [...downwardEnv(), ...sidecarEnv(r)],
    ...probes(r),
    resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { memory: '128Mi' } },
    securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
  };
}

/** What the Deployment keeps on its own metadata (rolls nothing), where a lost status cannot take it. */
function ownAnnotations(r: Resolved): Record<string, string> | undefined {
  const a: Record<string, string> = {};
  // Keys sorted: the same record read back from status (the API server sorts an object's keys) must render the same
  // text, or the applied hash changes and the Deployment is written again for nothing (an annotation change bumps
  // a Deployment's generation).
  // The pod template revision (operator/lifecycle/revision.ts).
  if (r.revision?.hash) a[TEMPLATE_REVISION_ANNOTATION] = canonicalJson(r.revision);
  // When and around which seed the cluster formed (operator/lifecycle/formation.ts).
  if (r.formed) a[FORMATION_ANNOTATION] = canonicalJson(r.formed);
  return Object.keys(a).length ? a : undefined;
}

/** The desired Deployment for a resource whose spec validate() accepted. */
export function renderDeployment(cb: ClusterBootstrap, r: Resolved): V1Deployment {
  const template = cb.spec.template ?? {};
  const userSpec: Partial<V1PodSpec> = template.spec ?? {};
  const userContainers = userSpec.containers ?? [];
  const userApp = userContainers.find((c) => c.name === APP_CONTAINER);
  const others = userContainers.filter((c) => c.name !== APP_CONTAINER && c.name !== AGENT_CONTAINER);
  const containers = [appContainer(r, userApp)];
  if (r.agentImage !== undefined) containers.push(agentSidecar(r, r.agentImage));
  containers.push(...others);
  const labels = childLabels(r);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: r.name,
      namespace: r.namespace,
      labels,
      ...(ownAnnotations(r) ? { annotations: ownAnnotations(r) } : {}),
      ownerReferences: [ownerRef(cb, true)],
    },
    spec: {
      replicas: r.replicas,
      selector: { matchLabels: selectorLabels(r) },
      // A cold start replaces every pod at once, so that all may form together (operator/lifecycle/formation.ts).
      strategy: r.coldStart ? { type: 'Recreate' } : strategyFor(cb.spec.strategy),
      template: {
        metadata: {
          ...template.metadata,
          labels: { ...template.metadata?.labels, ...labels },
        },
        spec: {
          ...userSpec,
          serviceAccountName: r.serviceAccountName,
          // The template's own, else long enough for Pekko's coordinated shutdown (core/api/resolve.ts).
          ...(r.terminationGracePeriodSeconds !== undefined
            ? { terminationGracePeriodSeconds: r.terminationGracePeriodSeconds }
            : {}),
          securityContext: withDefaults(RESTRICTED_POD, userSpec.securityContext),
          containers,
        },
      },
    },
  };
}
