// The API server's answer to a pod list, as Pekko's kubernetes-api discovery judges it: 200 with a PodList is a
// success (an empty list too), 403 means RBAC is wrong, any other status is an error that names it, and a body that
// is not a PodList is an error. Pure, so both the agent and tests use exactly this.
import { ROLE_BINDING_NAME, ROLE_NAME } from '../api/types.ts';
import type { PodLike } from './contact-points.ts';

export type PodListErrorCode = 'Forbidden' | 'Unauthorized' | 'HttpStatus' | 'NotPodList';

export type PodListResult =
  | { ok: true; pods: PodLike[] }
  | { ok: false; code: PodListErrorCode; status: number; message: string };

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

export function podListFromResponse(status: number, body: string, namespace: string): PodListResult {
  if (status === 403) {
    return {
      ok: false,
      code: 'Forbidden',
      status,
      message:
        "Forbidden when communicating with the Kubernetes API. Check RBAC settings: the pod's service account needs " +
        `Role ${ROLE_NAME} (get, watch, list on pods) bound by RoleBinding ${ROLE_BINDING_NAME} in ` +
        `namespace ${namespace}. API said: ${snippet(body)}`,
    };
  }
  if (status === 401) {
    return {
      ok: false,
      code: 'Unauthorized',
      status,
      message: `Kubernetes API answered 401 Unauthorized: the service-account token was not accepted. ${snippet(body)}`,
    };
  }
  if (status !== 200) {
    return {
      ok: false,
      code: 'HttpStatus',
      status,
      message: `Kubernetes API answered status ${status} to the pod list: ${snippet(body)}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, code: 'NotPodList', status, message: `pod list is not JSON: ${(err as Error).message}` };
  }
  const list = json as { kind?: unknown; items?: unknown };
  if (
    typeof json !== 'object' ||
    json === null ||
    Array.isArray(json) ||
    (list.kind !== undefined && list.kind !== 'PodList')
  ) {
    return { ok: false, code: 'NotPodList', status, message: `answer is not a PodList: ${snippet(body)}` };
  }
  if (list.items === null || list.items === undefined) return { ok: true, pods: [] }; // Go's empty slice
  if (!Array.isArray(list.items)) {
    return { ok: false, code: 'NotPodList', status, message: 'PodList.items is not an array' };
  }
  return { ok: true, pods: list.items.filter((p) => typeof p === 'object' && p !== null) as PodLike[] };
}
