// Where status is written: the merge patch between what is stored and what should be (statusPatch: undefined when
// nothing changed, so nothing is written), and the writer that remembers its last write until the informer cache has
// caught up with it. What the status should be is computed in operator/status (desired.ts).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterBootstrap, ClusterBootstrapStatus } from '../../core/api/types.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { keyOf } from '../kernel/key.ts';
import type { KubeClient } from '../kube/client.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON merge patch (RFC 7386) that turns `cur` into `want`: objects field by field (null removes), the rest whole. */
function mergePatch(cur: Record<string, unknown>, want: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(cur), ...Object.keys(want)])) {
    if (canonicalJson(cur[k]) === canonicalJson(want[k])) continue;
    const [c, w] = [cur[k], want[k]];
    patch[k] = isObject(c) && isObject(w) ? mergePatch(c, w) : (w ?? null);
  }
  return patch;
}

/** A JSON merge patch from current to desired over the status fields; undefined when they are equal. */
export function statusPatch(
  current: ClusterBootstrapStatus | undefined,
  desired: ClusterBootstrapStatus,
): Record<string, unknown> | undefined {
  const patch = mergePatch((current ?? {}) as Record<string, unknown>, desired as Record<string, unknown>);
  return Object.keys(patch).length ? patch : undefined;
}

/**
 * Writes status with a merge patch on /status, only when it changed. Right after a write the informer cache still
 * holds the old status; the writer remembers what it wrote and uses that while the cache shows a version from before
 * its last write: the one that write was computed on, or one of this writer's earlier writes (two writes before the
 * cache delivers the first: the cache then shows the first, and a patch computed against it would leave out what the
 * second changed and the next one changes back). The cache at the last write's version, or at a version this writer
 * did not make (someone else changed the resource), is used as it is.
 */
export class StatusWriter {
  private readonly client: KubeClient;
  private readonly written = new Map<
    string,
    { behind: Set<string | undefined>; latest: string | undefined; status: ClusterBootstrapStatus }
  >();

  constructor(client: KubeClient) {
    this.client = client;
  }

  /** The status as last written by this process, or as cached once the cache has caught up. */
  effective(cb: ClusterBootstrap): ClusterBootstrapStatus | undefined {
    const key = keyOf(cb);
    const w = this.written.get(key);
    if (w?.behind.has(cb.metadata.resourceVersion)) return w.status;
    if (w) this.written.delete(key);
    return cb.status;
  }

  /** Patches the status to `desired` if it differs from the effective one. True when it wrote. */
  async write(cb: ClusterBootstrap, desired: ClusterBootstrapStatus): Promise<boolean> {
    const patch = statusPatch(this.effective(cb), desired);
    if (!patch) return false;
    const rv = await this.client.patchClusterBootstrapStatus(
      cb.metadata.namespace ?? '',
      cb.metadata.name ?? '',
      patch,
    );
    const key = keyOf(cb);
    const before = this.written.get(key);
    const behind = new Set(before ? [...before.behind, before.latest] : []);
    behind.add(cb.metadata.resourceVersion);
    this.written.set(key, { behind, latest: rv, status: desired });
    return true;
  }

  /**
   * Whether the resource at this version is this process's last status write: its watch event brings nothing the
   * pass that wrote it did not know (operator/controller/event-keys.ts).
   */
  isOwnWrite(cb: KubernetesObject): boolean {
    const rv = cb.metadata?.resourceVersion;
    return rv !== undefined && this.written.get(keyOf(cb))?.latest === rv;
  }

  forget(key: string): void {
    this.written.delete(key);
  }
}
