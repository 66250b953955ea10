// The reconcile unit tests' harness: both reconcilers wired to the in-memory FakeKube (operator/kube/fake.ts), a fake
// clock, and the operator's own status observer (or a scripted one), with a small queue standing in for the work
// queues. A test double: left out of the production build.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { Registry } from 'prom-client';
import { API_VERSION, type ClusterBootstrap, FIELD_MANAGER, KIND } from '../../core/api/types.ts';
import { FakeClock } from '../../core/runtime/fake-clock.ts';
import type { Result } from '../kernel/controller.ts';
import { FakeKube, type FakeKubeOptions } from '../kube/fake.ts';
import type { PodPatcher } from '../kube/pod-patcher.ts';
import { Lifecycle } from '../lifecycle/lifecycle.ts';
import { INSTANCE_LABEL, MANAGED_BY_LABEL } from '../render/index.ts';
import { probingObserver, type StatusObserver } from '../status/observer.ts';
import type { HttpGet } from '../status/probe-http.ts';
import { makeClusterBootstrapReconciler } from './cluster-bootstrap.ts';
import { EventRecorder } from './event-recorder.ts';
import { makeNamespaceRbacReconciler } from './namespace-rbac.ts';
import { RbacConflicts } from './rbac-state.ts';
import { StatusWriter } from './status-writer.ts';

export const log = pino({ level: 'silent' });
export const NS = 'shop';

export function cbOf(name: string, spec: Record<string, unknown> = {}): ClusterBootstrap {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: NS, generation: 1 },
    spec: { image: 'registry.example/app:1', replicas: 3, ...spec },
  };
}

/** A running pod of resource `instance`, labelled as the operator's Deployment labels them (plus `labels`). */
export function podOf(name: string, instance: string, ip: string, labels: Record<string, string> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: { app: instance, [INSTANCE_LABEL]: instance, [MANAGED_BY_LABEL]: FIELD_MANAGER, ...labels },
    },
    spec: { containers: [{ name: 'app', ports: [{ name: 'management', containerPort: 7626 }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface HarnessOptions extends FakeKubeOptions {
  /** A scripted observer; without it, the operator's own. */
  observe?: StatusObserver['observe'];
  /** The pods' management endpoints for the operator's observer (default: no network, every probe fails). */
  get?: HttpGet;
  /** The API to use, e.g. another harness's: an operator restarted with nothing in memory. */
  kube?: FakeKube;
  /** The clock (default: a FakeClock at 0). */
  clock?: FakeClock;
  /** The lifecycle's pod patcher (default: accepts every patch and changes nothing). */
  patcher?: PodPatcher;
}

export function harness(options: HarnessOptions = {}) {
  const kube = options.kube ?? new FakeKube(options);
  const clock = options.clock ?? new FakeClock();
  const get = options.get ?? (() => Promise.reject(new Error('no network in unit tests')));
  const queue = new Set<string>();
  const observer = options.observe
    ? { observe: options.observe, forget: () => {} }
    : probingObserver({ get, clock, enqueue: (key) => queue.add(`cb:${key}`), registry: new Registry() });
  const caches = kube.caches();
  const events = new EventRecorder({ client: kube, clock, instance: 'op-0', log });
  const conflicts = new RbacConflicts();
  const cbReconcile = makeClusterBootstrapReconciler({
    caches,
    client: kube,
    events,
    status: new StatusWriter(kube),
    observer,
    conflicts,
    clock,
    enqueueNamespaceRbac: (ns) => queue.add(`rbac:${ns}`),
    lifecycle: new Lifecycle({ patcher: options.patcher ?? { patchPodAnnotations: async () => '' }, clock }),
  });
  const rbacReconcile = makeNamespaceRbacReconciler({
    caches,
    client: kube,
    events,
    conflicts,
    enqueueClusterBootstrap: (key) => queue.add(`cb:${key}`),
  });
  const ctx = { log, reconcileId: 't' };
  /** Runs one key ("cb:ns/name" or "rbac:ns"). */
  async function run(key: string): Promise<Result | undefined> {
    return key.startsWith('rbac:') ? rbacReconcile(key.slice(5), ctx) : cbReconcile(key.slice(3), ctx);
  }
  /**
   * Reconciles the resources, then whatever they enqueued, until quiet; then reconciles every resource again. The
   * informers are up to date at each step (with cacheLag: synced before each run).
   */
  async function settle(...names: string[]): Promise<void> {
    for (const n of names) queue.add(`cb:${NS}/${n}`);
    for (let i = 0; i < 50 && queue.size; i++) {
      const key = queue.values().next().value as string;
      queue.delete(key);
      kube.sync();
      await run(key);
    }
    // The informer would now deliver the children's events; every resource looks once more.
    for (const n of names) {
      kube.sync();
      await run(`cb:${NS}/${n}`);
    }
    await events.flush();
  }
  const cb = (name: string) => kube.find<ClusterBootstrap>(KIND, NS, name) as ClusterBootstrap;
  const reasons = () => kube.events.map((e) => `${e.reason}: ${e.note}`);
  /** Stores an object as another writer would (not through the operator's apply). */
  const put = <T extends KubernetesObject>(o: T) => kube.put(o);
  /** A user's edit of the resource's spec: the generation goes up by one. */
  const setSpec = (name: string, spec: Partial<ClusterBootstrap['spec']>) => {
    const c = cb(name);
    kube.put({
      ...c,
      metadata: { ...c.metadata, generation: (c.metadata.generation ?? 1) + 1 },
      spec: { ...c.spec, ...spec },
    });
  };
  return { kube, clock, run, settle, cb, reasons, events, queue, put, setSpec };
}
