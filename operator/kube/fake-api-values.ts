// What the API server does to an object it stores, for the in-memory FakeKube (fake.ts) when it is asked to behave
// like one: quantities in their canonical form (cpu: 0.5 becomes 500m), the defaults of the Deployment fields the
// operator leaves out (as Kubernetes 1.35 fills them in, read back from the local cluster), and empty strings, lists
// and maps dropped. Only what the operator's children touch; the real API server does much more.
import type { KubernetesObject } from '@kubernetes/client-node';
import { canonicalQuantity } from '../controller/quantity.ts';

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const QUANTITY_MAPS = new Set(['limits', 'requests', 'overhead']);

/** Quantities canonical, empty values dropped; returns a new value. */
function canonical(v: unknown, field?: string, quantities = false): unknown {
  if (Array.isArray(v)) return v.map((x) => canonical(x));
  if (isMap(v)) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const c = canonical(x, k, field !== undefined && QUANTITY_MAPS.has(field));
      const empty = c === '' || (Array.isArray(c) && c.length === 0) || (isMap(c) && Object.keys(c).length === 0);
      if (c !== undefined && !empty) out[k] = c;
    }
    return out;
  }
  if (quantities || field === 'sizeLimit') return canonicalQuantity(v) ?? v;
  return v;
}

/** Sets each default that is not set yet. */
function defaults(o: Json | undefined, values: Json): void {
  if (!o) return;
  for (const [k, v] of Object.entries(values)) if (o[k] === undefined) o[k] = structuredClone(v);
}

function defaultProbe(p: unknown): void {
  if (!isMap(p)) return;
  defaults(p, { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  if (isMap(p.httpGet)) defaults(p.httpGet, { scheme: 'HTTP' });
}

function defaultContainer(c: unknown): void {
  if (!isMap(c)) return;
  const image = String(c.image ?? '');
  const latest = !/:[^/]+$/.test(image) || image.endsWith(':latest');
  defaults(c, {
    imagePullPolicy: latest ? 'Always' : 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  });
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (isMap(p)) defaults(p, { protocol: 'TCP' });
  for (const e of Array.isArray(c.env) ? c.env : []) {
    const ref = isMap(e) && isMap(e.valueFrom) ? e.valueFrom.fieldRef : undefined;
    if (isMap(ref)) defaults(ref, { apiVersion: 'v1' });
  }
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) defaultProbe(c[probe]);
}

/** The object as the API server would store it. */
export function asStored<T extends KubernetesObject>(obj: T): T {
  const out = canonical(obj) as Json;
  if (out.kind === 'Deployment' && isMap(out.spec)) {
    const spec = out.spec;
    defaults(spec, { revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
    defaults(spec, { strategy: { type: 'RollingUpdate' } });
    if (isMap(spec.strategy) && spec.strategy.type === 'RollingUpdate') {
      defaults(spec.strategy, { rollingUpdate: {} });
      defaults(spec.strategy.rollingUpdate as Json, { maxSurge: '25%', maxUnavailable: '25%' });
    }
    const pod = isMap(spec.template) && isMap(spec.template.spec) ? spec.template.spec : undefined;
    defaults(pod, {
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
    for (const list of ['initContainers', 'containers']) {
      for (const c of Array.isArray(pod?.[list]) ? (pod[list] as unknown[]) : []) defaultContainer(c);
    }
  }
  return out as T;
}
