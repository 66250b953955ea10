// How long a resource's pods have answered without forming: per resource, since when (monotonic) at least
// requiredContactPoints contact points answer the operator's probes while none reports a cluster, with the same
// contact points all along (a change restarts the count, as it restarts Pekko's stable margin). diagnosis.ts turns
// a long wait into FormationStalled. Kept in memory: after an operator restart the count starts again.
import type { Observation } from './compute.ts';

export interface StalledFormation {
  /** How long the pods have been answering without a cluster (ms). */
  forMs: number;
  /** Contact points that answered the operator, and all of them. */
  answering: number;
  contactPoints: number;
}

export class FormationWatch {
  private readonly since = new Map<string, { signature: string; at: number }>();

  /**
   * Records what `o` shows at monotonic time `now` and returns the wait so far, or undefined when the pods are not
   * waiting that way (a cluster exists, too few answer, or the phase is not Forming).
   */
  update(key: string, o: Observation, requiredContactPoints: number, now: number): StalledFormation | undefined {
    const answering = o.contactPoints.filter((c) => c.node !== undefined).length;
    if (o.clusters.length > 0 || o.phase !== 'Forming' || answering < requiredContactPoints) {
      this.since.delete(key);
      return undefined;
    }
    const signature = o.contactPoints
      .map((c) => `${c.pod}@${c.host}:${c.port}`)
      .sort()
      .join(',');
    const prev = this.since.get(key);
    const at = prev && prev.signature === signature ? prev.at : now;
    this.since.set(key, { signature, at });
    return { forMs: now - at, answering, contactPoints: o.contactPoints.length };
  }

  forget(key: string): void {
    this.since.delete(key);
  }
}
