// Kubernetes-api discovery (docs/agent.md, How it bootstraps): one pod list by label selector in the pod's
// namespace, then the shared pure rules of core/discovery. The transport (token re-read, CA, API server address) is the KubeApi port.
import {
  type ContactPoint,
  contactPointsFromPods,
  type DiscoverySettings,
} from '../../core/discovery/contact-points.ts';
import { podListFromResponse } from '../../core/discovery/pod-list.ts';
import { podListPath } from '../../core/discovery/selector.ts';
import { DiscoveryError } from '../errors.ts';
import type { KubeApi } from '../ports.ts';

export interface Lookup {
  contactPoints: ContactPoint[];
}

/** Where contact points come from. lookup() rejects with a DiscoveryError. */
export interface ContactPointSource {
  lookup(): Promise<Lookup>;
}

export interface KubernetesApiDiscoveryOptions {
  namespace: string;
  /** The selector with %s already replaced. */
  selector: string;
  settings: DiscoverySettings;
  /** resolve-timeout. */
  timeoutMs: number;
}

export class KubernetesApiDiscovery implements ContactPointSource {
  readonly #kube: KubeApi;
  readonly #opts: KubernetesApiDiscoveryOptions;
  /** Pod-list calls made, for the figures in the closing note. */
  calls = 0;

  constructor(kube: KubeApi, opts: KubernetesApiDiscoveryOptions) {
    this.#kube = kube;
    this.#opts = opts;
  }

  async lookup(): Promise<Lookup> {
    this.calls++;
    const { namespace, selector, settings, timeoutMs } = this.#opts;
    const reply = await this.#kube.request({ method: 'GET', path: podListPath(namespace, selector), timeoutMs });
    const result = podListFromResponse(reply.status, reply.body, namespace);
    if (!result.ok) throw new DiscoveryError(result.code, result.message);
    return { contactPoints: contactPointsFromPods(result.pods, settings) };
  }
}
