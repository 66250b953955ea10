// The operator's informers: ClusterBootstraps, and the children and pods it manages (label-filtered), per watched
// namespace or cluster-wide. Their handlers only map an event to queue keys. Exposes them as the Caches reconcile
// reads, routed by namespace.
import type { Configuration, KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_VERSION, FIELD_MANAGER, KIND, PLURAL } from '../core/api/types.ts';
import type { Clock } from '../core/runtime/clock.ts';
import type { Cache, Caches } from './controller/caches.ts';
import { ownerKeys } from './controller/ownership.ts';
import { type EventKind, ResilientInformer } from './kernel/informer.ts';
import { keyOf } from './kernel/key.ts';
import { makeListWatch, type ResourceRef } from './kernel/list-watch.ts';
import type { OperatorMetrics } from './metrics.ts';
import { MANAGED_BY_LABEL } from './render/index.ts';

export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${FIELD_MANAGER}`;

const RESOURCES = {
  clusterBootstraps: { apiVersion: API_VERSION, kind: KIND, plural: PLURAL },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  serviceAccounts: { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts' },
  roles: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles' },
  roleBindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings' },
  pods: { apiVersion: 'v1', kind: 'Pod', plural: 'pods' },
} as const satisfies Record<keyof Caches, ResourceRef>;

export interface InformerDeps {
  kc: KubeConfig;
  /** Shared keep-alive connections for the list requests (see kube/configuration.ts). */
  apiConfig: Configuration;
  clock: Clock;
  log: Logger;
  metrics: OperatorMetrics;
  /** Empty: one cluster-wide informer per resource. */
  namespaces: readonly string[];
  resyncMs: number;
  enqueueClusterBootstrap: (key: string) => void;
  enqueueNamespaceRbac: (namespace: string) => void;
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
    const handlerFor = (resource: keyof Caches) => (kind: EventKind, obj: KubernetesObject) => {
      const ns = obj.metadata?.namespace ?? '';
      if (resource === 'clusterBootstraps') {
        deps.enqueueClusterBootstrap(keyOf(obj));
        return;
      }
      if (kind === 'resync') return;
      for (const key of ownerKeys(obj)) deps.enqueueClusterBootstrap(key);
      if (resource === 'roles' || resource === 'roleBindings') deps.enqueueNamespaceRbac(ns);
    };
    const build = (resource: keyof Caches): RoutedCache<KubernetesObject> => {
      const ref = RESOURCES[resource];
      const selector = resource === 'clusterBootstraps' ? undefined : MANAGED_SELECTOR;
      const byNamespace = new Map<string, ResilientInformer<KubernetesObject>>();
      for (const ns of namespaces) {
        const name = ns ? `${ref.plural}/${ns}` : ref.plural;
        const informer = new ResilientInformer<KubernetesObject>({
          resource: name,
          source: makeListWatch(deps.kc, deps.apiConfig, ref, ns, selector, (ms) => deps.clock.sleep(ms)),
          handler: handlerFor(resource),
          clock: deps.clock,
          resyncMs: resource === 'clusterBootstraps' ? deps.resyncMs : 0,
          log: deps.log,
          onRestart: (r) => deps.metrics.watchRestarted(r),
        });
        deps.metrics.trackInformer(name, () => informer.hasSynced());
        byNamespace.set(ns, informer);
        this.all.push(informer);
      }
      return new RoutedCache(byNamespace);
    };
    this.caches = {
      clusterBootstraps: build('clusterBootstraps'),
      deployments: build('deployments'),
      serviceAccounts: build('serviceAccounts'),
      roles: build('roles'),
      roleBindings: build('roleBindings'),
      pods: build('pods'),
    } as unknown as Caches;
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
