// The pods of this cluster, as the API server has them: list by the discovery label selector, then watch from the
// list's resourceVersion; list again after a 410 or a broken watch (with backoff). Members read it to see whose pods
// look dead (pod-signals.ts). Thin I/O; `synced` is false until the first list, and after a failed relist.
import type { PodLike } from '../../core/discovery/contact-points.ts';
import type { Clock, KubeApi, Logger, Timer, WatchHandle } from '../ports.ts';

export interface PodCacheOptions {
  namespace: string;
  /** The selector with %s replaced. */
  selector: string;
  timeoutMs: number;
}

type Pod = PodLike & { metadata?: { name?: string; resourceVersion?: string } };

export class PodCache {
  readonly #kube: KubeApi;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #o: PodCacheOptions;
  readonly #onChange: () => void;
  readonly #pods = new Map<string, Pod>();
  #synced = false;
  #running = false;
  #watch: WatchHandle | undefined;
  #timer: Timer | undefined;
  #failures = 0;
  /** Incremented on every change of what pods() returns. */
  revision = 0;

  constructor(kube: KubeApi, clock: Clock, logger: Logger, options: PodCacheOptions, onChange: () => void) {
    this.#kube = kube;
    this.#clock = clock;
    this.#logger = logger;
    this.#o = options;
    this.#onChange = onChange;
  }

  get synced(): boolean {
    return this.#synced;
  }

  pods(): PodLike[] {
    return [...this.#pods.values()];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#list();
  }

  stop(): void {
    this.#running = false;
    this.#watch?.close();
    this.#watch = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #path(extra: Record<string, string>): string {
    const q = new URLSearchParams({ labelSelector: this.#o.selector, ...extra });
    return `/api/v1/namespaces/${encodeURIComponent(this.#o.namespace)}/pods?${q}`;
  }

  #retry(why: string): void {
    this.#synced = false;
    this.revision++;
    this.#failures++;
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.#failures, 5));
    this.#logger.debug({ error: why, retryInMs: delay }, 'pod watch failed');
    this.#timer = this.#clock.setTimeout(() => void this.#list(), delay);
    this.#onChange();
  }

  async #list(): Promise<void> {
    if (!this.#running) return;
    let rv: string;
    try {
      const reply = await this.#kube.request({ method: 'GET', path: this.#path({}), timeoutMs: this.#o.timeoutMs });
      if (!this.#running) return;
      if (reply.status !== 200) return this.#retry(`pod list answered ${reply.status}`);
      const list = JSON.parse(reply.body) as { metadata?: { resourceVersion?: string }; items?: Pod[] };
      rv = list.metadata?.resourceVersion ?? '';
      this.#pods.clear();
      for (const p of Array.isArray(list.items) ? list.items : []) {
        if (p?.metadata?.name) this.#pods.set(p.metadata.name, p);
      }
    } catch (err) {
      if (this.#running) this.#retry((err as Error).message);
      return;
    }
    this.#failures = 0;
    this.#synced = true;
    this.revision++;
    this.#onChange();
    this.#watchFrom(rv);
  }

  #watchFrom(rv: string): void {
    if (!this.#running) return;
    const path = this.#path({ watch: '1', resourceVersion: rv, timeoutSeconds: '300' });
    let last = rv;
    const handle = this.#kube.watch(
      path,
      (event) => {
        const e = event as { type?: string; object?: Pod & { code?: number } };
        if (e.type === 'ERROR') {
          handle.close();
          this.#watch = undefined;
          if (e.object?.code === 410) void this.#list();
          else this.#retry(`pod watch error ${e.object?.code}`);
          return;
        }
        const p = e.object;
        const name = p?.metadata?.name;
        if (!p || !name) return;
        if (p.metadata?.resourceVersion) last = p.metadata.resourceVersion;
        if (e.type === 'DELETED') this.#pods.delete(name);
        else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.#pods.set(name, p);
        else return; // BOOKMARK
        this.revision++;
        this.#onChange();
      },
      (err) => {
        this.#watch = undefined;
        if (!this.#running) return;
        if (err) this.#retry(err.message);
        else this.#watchFrom(last); // the server ended it (timeoutSeconds): carry on from the last event
      },
    );
    this.#watch = handle;
  }
}
