// Watches what the benchmark measures, cluster-wide, from its own process: the children of every ClusterBootstrap of
// the run (Deployment, ServiceAccount, Role pod-reader, RoleBinding read-pods naming its account), each resource's
// status against the expected one, its writes (status writes while idle), and its pods (handed to the responder).
import {
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type V1Pod,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import { API_VERSION, type ClusterBootstrap, KIND, ROLE_BINDING_NAME, ROLE_NAME } from '../../core/api/types.ts';
import { clients, isReady } from '../../test-e2e/lib/index.ts';

const MANAGED = 'app.kubernetes.io/managed-by=pekko-bootstrap-operator';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

export interface TrackerOptions {
  /** the run's namespaces; objects elsewhere are ignored */
  namespaces: ReadonlySet<string>;
  /** the expected number of resources, and of their pods */
  total: number;
  totalPods?: number;
  /** whether a resource's status is what it should be now */
  statusCorrect: (cb: ClusterBootstrap) => boolean;
  onPod?: (pod: V1Pod, deleted: boolean) => void;
  /** Every add or update of a run's resource, with Date.now() when this process received the watch event. */
  onResource?: (key: string, cb: ClusterBootstrap, at: number) => void;
}

type Informer = ReturnType<typeof makeInformer<KubernetesObject>>;

export class Tracker {
  /** when each resource (`ns/name`) first had all four children */
  readonly childrenAt = new Map<string, number>();
  /** when each resource's status was first correct */
  readonly correctAt = new Map<string, number>();
  /** when every resource's status was correct at once, first */
  allCorrectAt: number | undefined;
  /** the run's pods that are Ready and not being deleted (`namespace/name`) */
  readonly readyPods = new Set<string>();
  /** when `totalPods` pods were Ready at once, first */
  allPodsReadyAt: number | undefined;
  /** writes to the run's ClusterBootstraps seen (each watch event that carries a new resourceVersion) */
  cbWrites = 0;
  private readonly o: TrackerOptions;
  private readonly informers: Informer[] = [];
  private readonly deployments = new Set<string>();
  private readonly accounts = new Set<string>();
  private readonly roles = new Set<string>();
  private readonly bound = new Set<string>();
  private readonly cbs = new Map<string, ClusterBootstrap>();
  private readonly correct = new Set<string>();
  private readonly versions = new Map<string, string>();
  private stopping = false;

  constructor(o: TrackerOptions) {
    this.o = o;
  }

  async start(): Promise<void> {
    const { kc, objects } = clients();
    const list =
      <T extends KubernetesObject>(apiVersion: string, kind: string, selector?: string) =>
      () =>
        objects.list<T>(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, selector) as Promise<
          KubernetesListObject<T>
        >;
    const add = <T extends KubernetesObject>(path: string, apiVersion: string, kind: string, selector?: string) => {
      const inf = makeInformer<T>(kc, path, list<T>(apiVersion, kind, selector), selector);
      inf.on('error', (err) => {
        if (!this.stopping) console.error(`tracker: watch ${path}:`, err);
        // client-node stops a ListWatch after an error; carry on after a moment
        if (!this.stopping) setTimeout(() => void inf.start().catch(() => undefined), 1000);
      });
      this.informers.push(inf as unknown as Informer);
      return inf;
    };
    const d = add('/apis/apps/v1/deployments', 'apps/v1', 'Deployment', MANAGED);
    const sa = add('/api/v1/serviceaccounts', 'v1', 'ServiceAccount', MANAGED);
    const roles = add('/apis/rbac.authorization.k8s.io/v1/roles', 'rbac.authorization.k8s.io/v1', 'Role', MANAGED);
    const bindings = add<V1RoleBinding>(
      '/apis/rbac.authorization.k8s.io/v1/rolebindings',
      'rbac.authorization.k8s.io/v1',
      'RoleBinding',
      MANAGED,
    );
    const [group, version] = API_VERSION.split('/');
    const cbs = add<ClusterBootstrap>(`/apis/${group}/${version}/clusterbootstraps`, API_VERSION, KIND);
    const pods = add<V1Pod>('/api/v1/pods', 'v1', 'Pod', MANAGED);

    const mine = (o: KubernetesObject) => this.o.namespaces.has(o.metadata?.namespace ?? '');
    const key = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
    const track =
      (set: Set<string>, keyOf: (o: KubernetesObject) => string = key) =>
      (o: KubernetesObject) => {
        if (!mine(o)) return;
        set.add(keyOf(o));
        this.check();
      };
    d.on('add', track(this.deployments));
    sa.on('add', track(this.accounts));
    roles.on('add', (o) => {
      if (o.metadata?.name === ROLE_NAME) track(this.roles, (x) => x.metadata?.namespace ?? '')(o);
    });
    const onBinding = (o: V1RoleBinding) => {
      if (!mine(o) || o.metadata?.name !== ROLE_BINDING_NAME) return;
      for (const s of o.subjects ?? []) this.bound.add(`${o.metadata.namespace}/${s.name}`);
      this.check();
    };
    bindings.on('add', onBinding);
    bindings.on('update', onBinding);
    const onCb = (cb: ClusterBootstrap) => {
      if (!mine(cb)) return;
      const k = key(cb);
      this.o.onResource?.(k, cb, Date.now());
      const rv = cb.metadata.resourceVersion ?? '';
      if (this.versions.has(k) && this.versions.get(k) !== rv) this.cbWrites++;
      this.versions.set(k, rv);
      this.cbs.set(k, cb);
      this.judge(k, cb);
      this.check();
    };
    cbs.on('add', onCb);
    cbs.on('update', onCb);
    cbs.on('delete', (cb) => {
      this.cbs.delete(key(cb));
      this.correct.delete(key(cb));
    });
    const onPod = (p: V1Pod, deleted: boolean) => {
      if (!mine(p)) return;
      const ready = !deleted && !p.metadata?.deletionTimestamp && isReady(p);
      if (ready) this.readyPods.add(key(p));
      else this.readyPods.delete(key(p));
      const want = this.o.totalPods;
      if (want !== undefined && this.allPodsReadyAt === undefined && this.readyPods.size >= want) {
        this.allPodsReadyAt = Date.now();
      }
      this.o.onPod?.(p, deleted);
    };
    pods.on('add', (p) => onPod(p, false));
    pods.on('update', (p) => onPod(p, false));
    pods.on('delete', (p) => onPod(p, true));
    await Promise.all(this.informers.map((i) => i.start()));
  }

  /** Re-evaluates a resource's status (`namespace/name`; every one when left out): its expectation changed. */
  recheck(key?: string): void {
    if (key === undefined) for (const [k, cb] of this.cbs) this.judge(k, cb);
    else {
      const cb = this.cbs.get(key);
      if (cb) this.judge(key, cb);
    }
    this.check();
  }

  /** Resources whose status is not correct now, for a timeout message. */
  incorrect(): ClusterBootstrap[] {
    return [...this.cbs].filter(([k]) => !this.correct.has(k)).map(([, cb]) => cb);
  }

  get childrenComplete(): boolean {
    return this.childrenAt.size >= this.o.total;
  }

  get statusesCorrect(): boolean {
    return this.allCorrectAt !== undefined;
  }

  /** Whether every resource's status is correct now (statusesCorrect: it was once). */
  get allCorrectNow(): boolean {
    return this.cbs.size >= this.o.total && this.correct.size >= this.o.total;
  }

  /** The run's resources (`namespace/name`) seen so far. */
  keys(): string[] {
    return [...this.cbs.keys()];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private judge(k: string, cb: ClusterBootstrap): void {
    if (!this.o.statusCorrect(cb)) {
      this.correct.delete(k);
      return;
    }
    this.correct.add(k);
    if (!this.correctAt.has(k)) this.correctAt.set(k, Date.now());
  }

  private check(): void {
    const now = Date.now();
    for (const k of this.cbs.keys()) {
      if (this.childrenAt.has(k)) continue;
      const ns = k.slice(0, k.indexOf('/'));
      if (this.deployments.has(k) && this.accounts.has(k) && this.roles.has(ns) && this.bound.has(k)) {
        this.childrenAt.set(k, now);
      }
    }
    if (this.allCorrectAt === undefined && this.cbs.size >= this.o.total && this.correct.size >= this.o.total) {
      this.allCorrectAt = now;
    }
  }
}

export { INSTANCE_LABEL };
