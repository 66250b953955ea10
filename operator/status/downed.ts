// Which members the split brain resolver downed, from the members' answers. A downed member is visible only for a
// moment (Pekko removes a Down member as soon as the others have seen it), so two signs count: a member some answer
// lists as Down, and a member that was unreachable at an earlier look and that no answer lists any more (with a
// downing provider, Pekko removes an unreachable member only by downing it). Each downing is reported once, until the
// address is an Up member again (a restarted pod joins with the same address). Kept in memory per resource: an
// operator restart forgets what was unreachable, at worst missing one report.
import type { ObservedCluster } from './compute.ts';

export interface Downed {
  node: string;
  /** The pod whose IP the address names, if any. */
  pod?: string;
}

interface State {
  unreachable: Set<string>;
  reported: Set<string>;
}

const hostOf = (node: string) => /@\[?([^\]]+?)\]?:\d+$/.exec(node)?.[1];

export class DownTracker {
  private readonly byKey = new Map<string, State>();

  /**
   * The members downed since the last look. `clusters`: what the pods answered (compute.ts); `podOfHost`: the
   * resource's pods by IP.
   */
  observe(key: string, clusters: readonly ObservedCluster[], podOfHost: ReadonlyMap<string, string>): Downed[] {
    let st = this.byKey.get(key);
    if (!st) {
      st = { unreachable: new Set(), reported: new Set() };
      this.byKey.set(key, st);
    }
    const up = new Set(clusters.flatMap((c) => c.members));
    const unreachable = new Set(clusters.flatMap((c) => c.unreachable));
    const down = new Set(clusters.flatMap((c) => c.down ?? []));
    const listed = new Set([...up, ...unreachable, ...down]);
    const candidates = new Set([...down, ...[...st.unreachable].filter((n) => !listed.has(n))]);
    const out: Downed[] = [];
    for (const node of [...candidates].sort()) {
      if (st.reported.has(node)) continue;
      st.reported.add(node);
      const pod = podOfHost.get(hostOf(node) ?? '');
      out.push(pod ? { node, pod } : { node });
    }
    // Up and reachable again (a restarted pod rejoins with the same address): a later downing is reported anew.
    for (const node of up) if (!unreachable.has(node) && !down.has(node)) st.reported.delete(node);
    st.unreachable = new Set([...unreachable].filter((n) => !down.has(n)));
    return out;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
