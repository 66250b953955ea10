// Every status a namespace's ClusterBootstraps pass through, from a watch, each with the time it arrived: so that a
// suite running several resources at once can ask when a condition first held for one of them, wherever its test
// body happens to be (a poll would only see when it looked). Restarted when the server ends the watch.
import { setTimeout as sleep } from 'node:timers/promises';
import { Watch } from '@kubernetes/client-node';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { clients } from './cluster.ts';
import { waitFor } from './wait.ts';

export interface StatusSample {
  /** Date.now() when the watch event arrived. */
  at: number;
  cb: ClusterBootstrap;
}

export class NamespaceStatusLog {
  private readonly byName = new Map<string, StatusSample[]>();
  private abort: AbortController | undefined;
  private stopped = false;
  readonly namespace: string;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  async start(): Promise<this> {
    const path = `/apis/bootstrap.pekko-operator.dev/v1alpha1/namespaces/${this.namespace}/clusterbootstraps`;
    this.abort = await new Watch(clients().kc).watch(
      path,
      {},
      (type, cb: ClusterBootstrap) => {
        if (type === 'DELETED') return;
        const name = cb.metadata?.name ?? '';
        this.byName.set(name, [...(this.byName.get(name) ?? []), { at: Date.now(), cb }]);
      },
      () => {
        // A watch ends now and then (server timeout): start another; it begins with the current objects.
        if (!this.stopped) void sleep(200).then(() => (this.stopped ? undefined : this.start()));
      },
    );
    if (this.stopped) this.abort.abort();
    return this;
  }

  /** Every sample of `name` so far, oldest first. */
  samples(name: string): readonly StatusSample[] {
    return this.byName.get(name) ?? [];
  }

  latest(name: string): ClusterBootstrap | undefined {
    return this.byName.get(name)?.at(-1)?.cb;
  }

  /** The first sample of `name` at or after `since` for which `pred` holds, waiting up to `timeoutMs`. */
  first(
    name: string,
    pred: (cb: ClusterBootstrap) => boolean,
    opts: { since?: number; timeoutMs: number; what: string; describe?: (cb: ClusterBootstrap) => string },
  ): Promise<StatusSample> {
    const since = opts.since ?? 0;
    return waitFor(
      () => {
        const hit = (this.byName.get(name) ?? []).find((s) => s.at >= since && pred(s.cb));
        if (hit) return hit;
        const last = this.latest(name);
        throw new Error(last ? (opts.describe?.(last) ?? JSON.stringify(last.status)) : 'no status yet');
      },
      { what: `${name}: ${opts.what}`, timeoutMs: opts.timeoutMs, intervalMs: 200 },
    );
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }
}
