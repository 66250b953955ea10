// The resources a scale run creates: namespaces labelled with the run, N ClusterBootstraps spread over them (a
// platform team's layout: a few clusters per team namespace), their pods status-only in the local cluster (Running
// and Ready at once, no process: the image map's `statusOnly`), and the teardown that waits until all is gone.
import { API_VERSION, type ClusterBootstrap, KIND } from '../../core/api/types.ts';
import { clients, registerImages, unregisterImages, waitFor } from '../../test-e2e/lib/index.ts';
import { pool } from './stats.ts';

export const RUN_LABEL = 'bench.pekko-operator.dev/run';
/** Pods of this image are status-only: the local cluster reports them Running and Ready and starts nothing. */
export const STATUS_ONLY_IMAGE = 'pbo-bench-status-only:1';
const IMAGES = 'scale-bench';

export interface Layout {
  runId: string;
  namespaces: string[];
  /** `namespace/name` of every resource, in creation order */
  keys: string[];
}

export function layoutFor(runId: string, n: number, perNamespace: number): Layout {
  const count = Math.ceil(n / perNamespace);
  const namespaces = Array.from({ length: count }, (_, i) => `scale-${runId}-${String(i).padStart(3, '0')}`);
  const keys = Array.from(
    { length: n },
    (_, i) => `${namespaces[i % count]}/cb-${String(Math.floor(i / count)).padStart(3, '0')}`,
  );
  return { runId, namespaces, keys };
}

export function clusterBootstrap(key: string, replicas: number): ClusterBootstrap {
  const [namespace, name] = key.split('/') as [string, string];
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: { image: STATUS_ONLY_IMAGE, replicas },
  };
}

export function registerStatusOnlyImage(): void {
  registerImages(IMAGES, { [STATUS_ONLY_IMAGE]: { command: [], statusOnly: true } });
}

export function unregisterStatusOnlyImage(): void {
  unregisterImages(IMAGES);
}

export async function createNamespaces(l: Layout): Promise<void> {
  await pool(l.namespaces, 10, async (name) => {
    await clients().core.createNamespace({ body: { metadata: { name, labels: { [RUN_LABEL]: l.runId } } } });
  });
}

/** Creates the resources, `concurrency` at a time; `created` hears when each create call returned. */
export async function createResources(
  l: Layout,
  replicas: number,
  concurrency: number,
  created: (key: string, at: number) => void = () => undefined,
): Promise<void> {
  const { objects } = clients();
  await pool(l.keys, concurrency, async (key) => {
    await objects.create(clusterBootstrap(key, replicas));
    created(key, Date.now());
  });
}

/** Deletes the namespaces of a run (every run when runId is undefined) and waits until they are gone. */
export async function deleteRuns(runId: string | undefined, timeoutMs = 15 * 60_000): Promise<void> {
  const selector = runId ? `${RUN_LABEL}=${runId}` : RUN_LABEL;
  const { core } = clients();
  const list = async () => (await core.listNamespace({ labelSelector: selector })).items;
  await pool(await list(), 10, async (ns) => {
    if (!ns.metadata?.deletionTimestamp)
      await core.deleteNamespace({ name: ns.metadata?.name ?? '' }).catch(() => undefined);
  });
  await waitFor(async () => (await list()).length === 0, {
    what: `namespaces ${selector} deleted`,
    timeoutMs,
    intervalMs: 2000,
  });
}

/** ClusterBootstraps outside the benchmark's namespaces: a cluster-wide operator would reconcile them too. */
export async function foreignResources(): Promise<string[]> {
  const { objects, core } = clients();
  const ours = new Set(
    (await core.listNamespace({ labelSelector: RUN_LABEL })).items.map((n) => n.metadata?.name ?? ''),
  );
  const all = await objects.list<ClusterBootstrap>(API_VERSION, KIND);
  return all.items
    .filter((cb) => !ours.has(cb.metadata.namespace ?? ''))
    .map((cb) => `${cb.metadata.namespace}/${cb.metadata.name}`);
}
