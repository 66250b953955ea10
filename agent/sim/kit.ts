// Helpers the simulation's scenario files share: a formed cluster, log lines by message, and a monitor that checks an
// invariant after every simulated event.
import { ENV } from '../config.ts';
import { Sim, type SimOptions } from './harness.ts';

/** `n` pods (pod-0 ...) started within 2 s, required contact points = n; resolves once they formed one cluster. */
export async function formed(seed: number, n: number, opts: Partial<SimOptions> = {}) {
  const sim = new Sim({ seed, ...opts, env: { [ENV.requiredContactPointNr]: String(n), ...opts.env } });
  const names = Array.from({ length: n }, (_, i) => `pod-${i}`);
  for (const name of names) sim.addPod(name, Math.floor(sim.random() * 2000));
  const ok = await sim.run(120_000, () => sim.converged(names));
  if (!ok) throw new Error(`seed ${seed}: ${n} pods did not form a cluster`);
  return { sim, names };
}

/** Parsed log lines with this message. */
export const logsOf = (sim: Sim, msg: string): Array<Record<string, unknown>> =>
  sim
    .logs()
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l));

/**
 * Checks `violation()` after every simulated event until stop(); each non-empty answer is recorded with the time.
 * For invariants that must hold at every instant (never two oldest).
 */
export function monitor(sim: Sim, violation: () => string | undefined) {
  const seen: string[] = [];
  const stopWatching = sim.everyEvent(() => {
    const v = violation();
    if (v && seen.length < 20) seen.push(`t=${sim.t}: ${v}`);
  });
  return { violations: seen, stop: stopWatching };
}

/** The node (by pod name) whose agent reports itself as the oldest, if one does. */
export function oldestNode(sim: Sim): string | undefined {
  const [first] = sim.oldestClaims();
  return first;
}
