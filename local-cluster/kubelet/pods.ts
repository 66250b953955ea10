// The pod workers by uid, fed by the pod watch. A pod is worked on once it is bound here; terminal pods found at
// start (Succeeded/Failed) are left alone; a pod already being deleted is finished (containers stopped, object
// deleted with grace 0).
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeletDeps } from './deps.ts';
import type { PodHandlers } from './pod-watch.ts';
import { PodWorker } from './pod-worker.ts';

export class PodManager implements PodHandlers {
  readonly #deps: KubeletDeps;
  readonly #workers = new Map<string, PodWorker>();
  /** uids of pods seen in a terminal phase and never run here */
  readonly #ignored = new Set<string>();

  constructor(deps: KubeletDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#workers.size;
  }

  upsert(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid || this.#ignored.has(uid)) return;
    const w = this.#workers.get(uid);
    if (w) {
      w.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.#ignored.add(uid);
      return;
    }
    const worker = new PodWorker(this.#deps, pod);
    worker.onFinished = () => this.#workers.delete(uid);
    this.#workers.set(uid, worker);
    if (pod.metadata?.deletionTimestamp) {
      void worker.terminate(false);
      return;
    }
    worker
      .start()
      .catch((err: unknown) => this.#deps.log.error({ uid, err: (err as Error).message }, 'pod worker failed'));
  }

  remove(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.#ignored.delete(uid);
    void this.#workers.get(uid)?.terminate(true);
  }

  sync(pods: V1Pod[]): void {
    const present = new Set(pods.map((p) => p.metadata?.uid));
    for (const [uid, w] of this.#workers) if (!present.has(uid)) void w.terminate(true);
    for (const uid of this.#ignored) if (!present.has(uid)) this.#ignored.delete(uid);
    for (const p of pods) this.upsert(p);
  }

  /** Stops every pod's processes (kubelet shutdown); pod objects stay. */
  async stopAll(graceSeconds: number): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.shutdown(graceSeconds)));
  }
}
