// Formation under random start orders and delays: 1 to 9 pods, required contact points = the replica count (what
// the operator sets), over many seeds. Each run must end with exactly one cluster of all pods, formed exactly once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareContactPoints } from '../../core/protocol/address.ts';
import { ENV } from '../../core/settings/catalog.ts';
import { Sim } from './harness.ts';

const REQUIRED = ENV.requiredContactPointNr;
/** Total runs over all sizes (SIM_RUNS overrides). */
const RUNS = Number(process.env.SIM_RUNS ?? 216);

/** Starts n pods in a seeded random order with random delays; returns the sim and the pod names. */
export function startCluster(seed: number, n: number, env: Record<string, string> = {}) {
  const sim = new Sim({ seed, env: { [REQUIRED]: String(n), ...env } });
  const names = Array.from({ length: n }, (_, i) => `pod-${i}`);
  const order = [...names].sort(() => sim.random() - 0.5);
  for (const name of order) sim.addPod(name, Math.floor(sim.random() * 8000), Math.floor(sim.random() * 4000));
  return { sim, names };
}

const PER_SIZE = Math.ceil(RUNS / 9);

for (let n = 1; n <= 9; n++) {
  test(`${n} pods, ${PER_SIZE} seeds: exactly one cluster of all pods, formed once, by Pekko's lowest address`, async () => {
    const failures: string[] = [];
    for (let run = 0; run < PER_SIZE; run++) {
      const seed = n * 1000 + run;
      const { sim, names } = startCluster(seed, n);
      const ok = await sim.run(120_000, () => sim.converged(names));
      // Keep running a little: nothing may change once converged (no second cluster, no churn).
      await sim.run(5000);
      const founders = sim.logs().filter((l) => l.includes('"msg":"formed a new cluster"'));
      const lowest = [...sim.nodes.values()].sort((a, b) =>
        compareContactPoints({ host: '', address: a.ip }, { host: '', address: b.ip }),
      )[0];
      const founderPod = founders[0] ? JSON.parse(founders[0]).pod : undefined;
      if (!ok || !sim.converged(names) || sim.clusterIds().size !== 1 || founders.length !== 1) {
        failures.push(`seed ${seed}: converged=${ok} clusters=${sim.clusterIds().size} foundings=${founders.length}`);
      } else if (founderPod !== lowest?.name) {
        failures.push(`seed ${seed}: founder ${founderPod} is not the lowest address ${lowest?.name}`);
      }
    }
    assert.equal(failures, []);
  });
}

test.run();
