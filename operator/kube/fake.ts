// An in-memory Kubernetes for reconcile's unit tests: a KubeClient over a map of objects, and caches over the same
// map that hold what the real label-filtered informers would (one per watched kind, children only with the
// managed-by label). Apply is a simplified server-side apply: the applied fields replace the stored ones (lists
// whole), other fields stay; like the API server, it rejects a change of a Deployment's selector (immutable) with 422.
// Two options make it behave like an API server where the operator's judgement depends on it:
// - `cacheLag`: the caches show the objects as of the last sync(), like informers that have not delivered the latest
//   events (the operator's own writes included);
// - `apiValues`: an applied object is stored as the API server stores it: quantities canonical, defaults filled in,
//   empty values dropped (fake-api-values.ts).
// Not for e2e tests: those run against the real API server.
import type { EventsV1Event, KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../core/api/types.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { type Cache, type Caches, cachesOf, labelFiltered } from '../controller/kinds.ts';
import { KubeApiError } from '../errors.ts';
import { objectKey } from '../kernel/key.ts';
import { MANAGED_BY_LABEL } from '../render/index.ts';
import type { KubeClient, ObjectRef } from './client.ts';
import { asStored } from './fake-api-values.ts';

function storeKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${objectKey(namespace, name)}`;
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

export interface FakeKubeOptions {
  /** The caches lag: they hold the objects as of the last sync(). */
  cacheLag?: boolean;
  /** Applied objects are stored as the API server stores them (quantities canonical, defaults, no empty values). */
  apiValues?: boolean;
}

export class FakeKube implements KubeClient {
  readonly objects = new Map<string, KubernetesObject>();
  readonly calls: string[] = [];
  readonly events: EventsV1Event[] = [];
  private rv = 100;
  private uid = 0;
  private readonly options: FakeKubeOptions;
  /** With cacheLag: what the caches show. */
  private cached = new Map<string, KubernetesObject>();

  constructor(options: FakeKubeOptions = {}) {
    this.options = options;
  }

  /** With cacheLag: the informers catch up (every write so far becomes visible in the caches). */
  sync(): void {
    this.cached = new Map([...this.objects].map(([k, o]) => [k, structuredClone(o)]));
  }

  put<T extends KubernetesObject>(o: T): T {
    const md = o.metadata ?? {};
    const stored = structuredClone({
      ...o,
      metadata: {
        ...md,
        uid: md.uid ?? `uid-${++this.uid}`,
        resourceVersion: String(++this.rv),
        generation: md.generation ?? 1,
      },
    }) as T;
    this.objects.set(storeKey(o.kind ?? '', md.namespace ?? '', md.name ?? ''), stored);
    return stored;
  }

  find<T extends KubernetesObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.objects.get(storeKey(kind, namespace, name)) as T | undefined;
  }

  remove(kind: string, namespace: string, name: string): void {
    this.objects.delete(storeKey(kind, namespace, name));
  }

  /** Calls of one verb, e.g. 'apply'. */
  count(verb: string): number {
    return this.calls.filter((c) => c.startsWith(`${verb} `)).length;
  }

  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    this.calls.push(`get ${ref.kind} ${ref.name}`);
    return this.find<T>(ref.kind, ref.namespace, ref.name);
  }

  async apply<T extends KubernetesObject>(obj: T, force: boolean): Promise<T> {
    if (!force) throw new Error('fake: the operator always applies with force');
    const md = obj.metadata ?? {};
    this.calls.push(`apply ${obj.kind} ${md.name}`);
    const prev = this.find(obj.kind ?? '', md.namespace ?? '', md.name ?? '');
    const selector = (o: KubernetesObject | undefined) =>
      canonicalJson((o as V1Deployment | undefined)?.spec?.selector);
    if (obj.kind === 'Deployment' && prev && selector(obj) !== selector(prev)) {
      throw new KubeApiError(`apply Deployment ${md.name}: 422 spec.selector: field is immutable`, 422);
    }
    const merged = merge(prev, this.options.apiValues ? asStored(obj) : obj) as T;
    return this.put({ ...merged, metadata: { ...merged.metadata, uid: prev?.metadata?.uid } });
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.calls.push(`delete ${ref.kind} ${ref.name}`);
    const had = this.objects.has(storeKey(ref.kind, ref.namespace, ref.name));
    this.remove(ref.kind, ref.namespace, ref.name);
    return had;
  }

  async patchClusterBootstrapStatus(
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
  ): Promise<string | undefined> {
    this.calls.push(`status ${name}`);
    const cb = this.find('ClusterBootstrap', namespace, name);
    if (!cb) throw new KubeApiError('not found', 404);
    return this.put({ ...cb, status: merge((cb as { status?: unknown }).status, patch) } as KubernetesObject).metadata
      ?.resourceVersion;
  }

  async createEvent(event: EventsV1Event): Promise<void> {
    this.events.push(event);
  }

  /** Caches as the operator's informers would fill them (as of the last sync() with cacheLag). */
  caches(): Caches {
    const store = () => (this.options.cacheLag ? this.cached : this.objects);
    return cachesOf((kind): Cache<KubernetesObject> => {
      const visible = (o: KubernetesObject | undefined) =>
        !!o && (!labelFiltered(kind) || o.metadata?.labels?.[MANAGED_BY_LABEL] === FIELD_MANAGER);
      return {
        get: (name, namespace) => {
          const o = store().get(storeKey(kind.kind, namespace, name));
          return visible(o) ? o : undefined;
        },
        list: (namespace) =>
          [...store().values()].filter(
            (o) => o.kind === kind.kind && o.metadata?.namespace === namespace && visible(o),
          ),
      };
    });
  }
}
