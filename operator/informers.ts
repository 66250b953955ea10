// The operator's informers: one per watched kind (operator/controller/kinds.ts) and per watched namespace, or one
// cluster-wide, each caching objects through its kind's transform (kernel/cache-transform.ts). Their handlers only
// map an event to queue keys (controller/event-keys.ts). Exposes them as the Caches reconcile reads, routed by namespace.
import type { Configuration, KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { FIELD_MANAGER } from '../core/api/types.ts';
import type { Clock } from '../core/runtime/clock.ts';
import { EventKeyMap } from './controller/event-keys.ts';
import { type Cache, type Caches, cachesOf, labelFiltered, type WatchedKind } from './controller/kinds.ts';
import { cacheTransform } from './kernel/cache-transform.ts';
import { type EventKind, ResilientInformer } from './kernel/informer.ts';
import { makeListWatch } from './kernel/list-watch.ts';
import type { OperatorMetrics } from './metrics.ts';
import { MANAGED_BY_LABEL } from './render/index.ts';

export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${FIELD_MANAGER}`;

export interface InformerDeps {
  kc: KubeConfig;
  /** Shared keep-alive connections for the list requests (see kube/configuration.ts). */
  apiConfig: Configuration;
  clock: Clock;
  log: Logger;
  metrics: OperatorMetrics;
  /** Empty: one cluster-wide informer per kind. */
  namespaces: readonly string[];
  resyncMs: number;
  enqueueClusterBootstrap: (key: string) => void;
  enqueueNamespaceRbac: (namespace: string) => void;
  /** Whether a ClusterBootstrap at its version is this process's own status write (status-writer.ts). */
  isOwnStatusWrite?: (cb: KubernetesObject) => boolean;
}

/** A cache over one informer per namespace (or one for all), answering by namespace. */
class RoutedCache<T extends KubernetesObject> implements Cache<T> {
  private readonly byNamespace: Map<string, ResilientInformer<T>>;
  constructor(byNamespace: Map<string, ResilientInformer<T>>) {
    this.byNamespace = byNamespace;
  }
  private pick(namespace: string): ResilientInformer<T> | undefined {
    return this.byNamespace.get(namespace) ?? this.byNamespace.get('');
  }
  get(name: string, namespace: string): T | undefined {
    return this.pick(namespace)?.get(name, namespace);
  }
  list(namespace: string): ReadonlyArray<T> {
    return this.pick(namespace)?.list(namespace) ?? [];
  }
}

export class OperatorInformers {
  readonly caches: Caches;
  private readonly all: ResilientInformer<KubernetesObject>[] = [];

  constructor(deps: InformerDeps) {
    const namespaces = deps.namespaces.length ? deps.namespaces : [''];
    const keyMap = new EventKeyMap(deps.isOwnStatusWrite ? { isOwnStatusWrite: deps.isOwnStatusWrite } : {});
    const handlerFor = (kind: WatchedKind<KubernetesObject>) => (event: EventKind, obj: KubernetesObject) => {
      const keys = keyMap.keys(kind, event, obj);
      for (const key of keys.clusterBootstraps) deps.enqueueClusterBootstrap(key);
      if (keys.namespaceRbac !== undefined) deps.enqueueNamespaceRbac(keys.namespaceRbac);
    };
    this.caches = cachesOf((kind) => {
      const selector = labelFiltered(kind) ? MANAGED_SELECTOR : undefined;
      const byNamespace = new Map<string, ResilientInformer<KubernetesObject>>();
      for (const ns of namespaces) {
        const name = ns ? `${kind.plural}/${ns}` : kind.plural;
        const informer = new ResilientInformer<KubernetesObject>({
          resource: name,
          source: makeListWatch(
            deps.kc,
            deps.apiConfig,
            kind,
            ns,
            selector,
            (ms) => deps.clock.sleep(ms),
            cacheTransform(kind.trim?.bind(kind)),
          ),
          handler: handlerFor(kind),
          clock: deps.clock,
          resyncMs: kind.role === 'resource' ? deps.resyncMs : 0,
          log: deps.log,
          onRestart: (r) => deps.metrics.watchRestarted(r),
        });
        deps.metrics.trackInformer(name, () => informer.hasSynced());
        byNamespace.set(ns, informer);
        this.all.push(informer);
      }
      return new RoutedCache(byNamespace);
    });
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  hasSynced(): boolean {
    return this.all.every((i) => i.hasSynced());
  }

  /** Informers not synced yet, for /readyz. */
  unsynced(): string[] {
    return this.all.filter((i) => !i.hasSynced()).map((i) => i.resource);
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.all.map((i) => i.waitForSync()));
  }
}
