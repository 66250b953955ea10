// Whether a live object already holds what the operator applies: the fields it sets, compared the way server-side
// apply merges them (docs/operator.md, "What unchanged means"). Only the fields in the desired object are looked at,
// so fields the API server defaults and fields other managers own do not count:
// - a list the API marks as a map (x-kubernetes-list-type: map) is matched entry by entry on its keys: containers and
//   env by name, container ports by containerPort and protocol, and so on (LIST_KEYS). An entry another manager added
//   (`kubectl set env`, a webhook's sidecar) is not ours and is not compared; ours must each be there and hold our
//   values.
// - any other list is atomic: one owner, compared whole (same length, element by element).
// - a quantity (resources.limits and requests, overhead, sizeLimit) is compared by value: `cpu: 0.5` is stored as
//   500m (quantity.ts).
// - values the API server drops when it stores them (empty objects and lists, and the zero values of omitempty
//   fields: '', false, 0) match an absent field.
import { sameQuantity } from './quantity.ts';

/**
 * The keys of the associative lists in the kinds the operator applies (Deployment with its pod template,
 * ServiceAccount, Role, RoleBinding), by field name, as the API server's OpenAPI declares them
 * (x-kubernetes-list-map-keys; read from Kubernetes 1.35's /openapi/v3). Every other list of those kinds is atomic,
 * except ServiceAccount.imagePullSecrets (atomic there, keyed in a PodSpec), which the operator does not set.
 */
export const LIST_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  ports: ['containerPort', 'protocol'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
  resourceClaims: ['name'],
  schedulingGates: ['name'],
  claims: ['name'],
  secrets: ['name'],
  ownerReferences: ['uid'],
};

/** A key field the API server defaults when it is left out (a container port's protocol). */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** Maps whose values are quantities, and fields that are one. */
const QUANTITY_MAPS = new Set(['limits', 'requests', 'overhead']);
const QUANTITY_FIELDS = new Set(['sizeLimit']);

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function sameKey(live: unknown, desired: Json, keys: readonly string[]): boolean {
  if (!isMap(live)) return false;
  return keys.every((k) => (live[k] ?? KEY_DEFAULTS[k]) === (desired[k] ?? KEY_DEFAULTS[k]));
}

function coversList(live: unknown, desired: unknown[], field: string | undefined): boolean {
  const keys = field === undefined ? undefined : LIST_KEYS[field];
  if (keys) {
    // Ours are matched by key; entries of other managers may be there too.
    if (desired.length === 0) return true;
    if (!Array.isArray(live)) return false;
    return desired.every((d) => {
      if (!isMap(d)) return false;
      const l = live.find((x) => sameKey(x, d, keys));
      return l !== undefined && coversValue(l, d, undefined);
    });
  }
  if (desired.length === 0) return live === undefined || live === null || (Array.isArray(live) && live.length === 0);
  return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => coversValue(live[i], d));
}

/** `inQuantityMap`: the values of this map are quantities (resources.limits and the like). */
function coversValue(live: unknown, desired: unknown, field?: string, inQuantityMap = false): boolean {
  if (desired === undefined || desired === null) return true;
  if (Array.isArray(desired)) return coversList(live, desired, field);
  if (typeof desired === 'object') {
    if (live === undefined || live === null) return Object.keys(desired).length === 0;
    if (!isMap(live)) return false;
    const quantities = field !== undefined && QUANTITY_MAPS.has(field);
    return Object.entries(desired as Json).every(([k, d]) => coversValue(live[k], d, k, quantities));
  }
  if (live === undefined && (desired === '' || desired === false || desired === 0)) return true;
  if (inQuantityMap || (field !== undefined && QUANTITY_FIELDS.has(field))) return sameQuantity(desired, live);
  return live === desired;
}

/**
 * True when `live` holds every field `desired` sets, with the same value, compared as server-side apply merges them
 * (see the top of this file). Extra fields in live (server defaults, other managers' fields and list entries) are fine.
 */
export function covers(live: unknown, desired: unknown): boolean {
  return coversValue(live, desired);
}
