// An in-memory Kubernetes API for the simulation: a pod store and the one call the agent makes (pod list by label
// selector), with the failure modes the tests need (403, 500, timeouts). Answers are real PodList JSON.
import type { PodLike } from '../../core/discovery/contact-points.ts';
import type { FakeClock } from '../../core/runtime/fake-clock.ts';
import { DiscoveryError } from '../errors.ts';
import type { KubeApi, Reply } from '../ports.ts';

export type KubeMode = 'ok' | 'forbidden' | 'timeout' | 'error500';

export interface SimPod extends PodLike {
  metadata: { name: string; namespace: string; labels: Record<string, string>; deletionTimestamp?: string };
}

export class SimKube {
  readonly #clock: FakeClock;
  readonly pods = new Map<string, SimPod>();
  mode: KubeMode = 'ok';
  /** Pod-list calls per caller (pod IP). */
  readonly calls = new Map<string, number>();

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** The API as the pod with this IP sees it. */
  api(callerIP: string): KubeApi {
    return {
      get: (path, timeoutMs) => {
        this.calls.set(callerIP, (this.calls.get(callerIP) ?? 0) + 1);
        return new Promise<Reply>((resolve, reject) => {
          if (this.mode === 'timeout') {
            this.#clock.setTimeout(
              () => reject(new DiscoveryError('Timeout', `Kubernetes API did not answer within ${timeoutMs}ms`)),
              timeoutMs,
            );
            return;
          }
          this.#clock.setTimeout(() => resolve(this.#answer(path)), 2);
        });
      },
    };
  }

  #answer(path: string): Reply {
    if (this.mode === 'forbidden') {
      return {
        status: 403,
        body: JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          message: 'pods is forbidden: User "system:serviceaccount:sim:app" cannot list resource "pods"',
          reason: 'Forbidden',
          code: 403,
        }),
      };
    }
    if (this.mode === 'error500') return { status: 500, body: 'etcdserver: request timed out' };
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\?labelSelector=(.*)$/.exec(path);
    if (!m) return { status: 404, body: '{"kind":"Status","code":404}' };
    const ns = decodeURIComponent(m[1] as string);
    const wanted = decodeURIComponent(m[2] as string)
      .split(',')
      .map((kv) => kv.split('=') as [string, string]);
    const items = [...this.pods.values()].filter(
      (p) => p.metadata.namespace === ns && wanted.every(([k, v]) => p.metadata.labels[k] === v),
    );
    return { status: 200, body: JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items }) };
  }
}
