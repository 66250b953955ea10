// The kubelet and the node controller of the simulation, as far as membership depends on them: a readiness probe of
// GET /ready on each running pod (the operator's settings: every 2 s, 1 s timeout, NotReady after 3 failures in a
// row, Ready after 1 success), written to the pod's Ready condition with its lastTransitionTime; and, when a pod's
// node is lost, no more probes and the node controller's Ready=False after its grace period.
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import type { SimApi } from './api.ts';
import type { SimNetwork } from './network.ts';

export const PROBE = { periodMs: 2000, timeoutMs: 1000, failureThreshold: 3 };
/** node-monitor-grace-period, Kubernetes' default. */
export const NODE_GRACE_MS = 50_000;
const KUBELET_IP = '10.255.255.254';

interface Probed {
  ip: string;
  port: number;
  failures: number;
  ready: boolean;
  timer: Timer | undefined;
  nodeLost: boolean;
}

export class SimKubelet {
  readonly #time: Clock;
  readonly #api: SimApi;
  readonly #net: SimNetwork;
  readonly #pods = new Map<string, Probed>();

  constructor(time: Clock, api: SimApi, net: SimNetwork) {
    this.#time = time;
    this.#api = api;
    this.#net = net;
  }

  /** Starts probing a pod that is Running at `ip`. */
  start(name: string, ip: string, port = 7626): void {
    this.stop(name);
    const p: Probed = { ip, port, failures: 0, ready: false, timer: undefined, nodeLost: false };
    this.#pods.set(name, p);
    this.#schedule(name, p);
  }

  /** The pod is gone: no more probes. */
  stop(name: string): void {
    const p = this.#pods.get(name);
    p?.timer?.cancel();
    this.#pods.delete(name);
  }

  /** The pod's node is lost: the kubelet stops; the node controller marks the pod NotReady after its grace period. */
  nodeLost(name: string): void {
    const p = this.#pods.get(name);
    if (!p) return;
    p.nodeLost = true;
    p.timer?.cancel();
    p.timer = this.#time.setTimeout(() => this.#setReady(name, false), NODE_GRACE_MS);
  }

  #schedule(name: string, p: Probed): void {
    p.timer = this.#time.setTimeout(() => void this.#probe(name, p), PROBE.periodMs);
  }

  async #probe(name: string, p: Probed): Promise<void> {
    if (this.#pods.get(name) !== p || p.nodeLost) return;
    const ok = await this.#net
      .client(KUBELET_IP)
      .request({ method: 'GET', host: p.ip, port: p.port, path: '/ready', timeoutMs: PROBE.timeoutMs })
      .then(
        (r) => r.status === 200,
        () => false,
      );
    if (this.#pods.get(name) !== p || p.nodeLost) return;
    p.failures = ok ? 0 : p.failures + 1;
    if (ok && !p.ready) this.#setReady(name, true);
    else if (!ok && p.ready && p.failures >= PROBE.failureThreshold) this.#setReady(name, false);
    this.#schedule(name, p);
  }

  #setReady(name: string, ready: boolean): void {
    const p = this.#pods.get(name);
    if (p) p.ready = ready;
    const pod = this.#api.objects.pods.get(name);
    if (!pod) return;
    const st = (pod.status ?? {}) as Record<string, unknown>;
    const condition = {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      lastTransitionTime: new Date(this.#time.now()).toISOString(),
    };
    this.#api.store('pods', { ...pod, status: { ...st, conditions: [condition] } });
  }
}
