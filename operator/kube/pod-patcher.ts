// The one write the operator makes to pods: annotations (pod-deletion-cost, operator/lifecycle/deletion-costs.ts),
// as a JSON merge patch. A port of its own beside KubeClient, so that only the lifecycle code depends on it.
import { type Configuration, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../core/api/types.ts';
import { asKubeError } from './client.ts';

export interface PodPatcher {
  /**
   * Sets (a string) or removes (null) annotations of a pod; resolves with the pod's new resourceVersion. Fails with a
   * KubeApiError: 403 when the operator may not patch pods, 404 when the pod is gone.
   */
  patchPodAnnotations(namespace: string, name: string, annotations: Record<string, string | null>): Promise<string>;
}

export class RealPodPatcher implements PodPatcher {
  private readonly api: CoreV1Api;

  constructor(config: Configuration) {
    this.api = new CoreV1Api(config);
  }

  async patchPodAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
  ): Promise<string> {
    try {
      const pod = await this.api.patchNamespacedPod(
        { namespace, name, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return pod.metadata?.resourceVersion ?? '';
    } catch (err) {
      throw asKubeError(`patch annotations of Pod ${namespace}/${name}`, err);
    }
  }
}
