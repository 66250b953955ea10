// The ConfigMaps and Secrets a container's env refers to, fetched before its environment is computed. A missing
// object is `undefined` (env.ts decides whether that is an error: optional references); other failures are
// EnvErrors (the container waits with CreateContainerConfigError and is retried).
import type { V1Container } from '@kubernetes/client-node';
import { EnvError, type EnvSources, referencedSources } from './env.ts';
import { ApiError, type Rest } from './rest.ts';

export async function fetchEnvSources(api: Rest, namespace: string, c: V1Container): Promise<EnvSources> {
  const refs = referencedSources(c);
  const get = async (kind: 'configmaps' | 'secrets', name: string) => {
    try {
      const o = await api.request<{ data?: Record<string, string> }>(
        'GET',
        `/api/v1/namespaces/${namespace}/${kind}/${name}`,
      );
      const data = o.data ?? {};
      if (kind === 'configmaps') return data;
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw new EnvError(`${kind} "${name}": ${(err as Error).message}`);
    }
  };
  const configMaps = new Map(
    await Promise.all(refs.configMaps.map(async (n) => [n, await get('configmaps', n)] as const)),
  );
  const secrets = new Map(await Promise.all(refs.secrets.map(async (n) => [n, await get('secrets', n)] as const)));
  return { configMaps, secrets };
}
