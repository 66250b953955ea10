// What the formation suite (test-e2e/suites/formation.e2e.ts) reads and does: the new-cluster-enabled a pod was
// handed, killing every pod at once, the formation Events, a pod's app log, and a sampler of the pods' settings and
// the Deployment's strategy while a cold start runs.
import { existsSync, readFileSync } from 'node:fs';
import { EventsV1Api, type V1Pod } from '@kubernetes/client-node';
import { SETTINGS } from '../../core/settings/catalog.ts';
import { podValue } from '../../operator/render/read-back.ts';
import { clients, podLogPath } from './cluster.ts';
import { kubectl } from './kubectl.ts';

/** 'on' or 'off' as the pod's own spec hands new-cluster-enabled (JAVA_TOOL_OPTIONS or the agent's env); '?' unset. */
export function newClusterEnabledOf(p: V1Pod): 'on' | 'off' | '?' {
  const v = podValue(p, SETTINGS.newClusterEnabled);
  return v === undefined ? '?' : v ? 'on' : 'off';
}

/** Every pod of the selector deleted at once, without a grace period: the processes are killed. */
export async function killAll(ns: string, selector: string): Promise<void> {
  await kubectl(['delete', 'pods', '-l', selector, '--grace-period=0', '--force', '--wait=false'], { namespace: ns });
}

export interface FormationEvent {
  type: string;
  reason: string;
  note: string;
}

/** The Events on ClusterBootstrap `name` (all reasons). */
export async function coldStartEvents(ns: string, name: string): Promise<FormationEvent[]> {
  const list = await clients().kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
  return list.items
    .filter((e) => e.regarding?.kind === 'ClusterBootstrap' && e.regarding.name === name)
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', note: e.note ?? '' }));
}

/** The app container's log of a pod (the file outlives the pod). */
export function appLog(ns: string, p: V1Pod): string {
  const file = podLogPath(ns, p.metadata?.name ?? '', 'app');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

export interface SettingsSample {
  at: number;
  /** new-cluster-enabled of every pod not finished (terminating ones included), sorted. */
  settings: string[];
  strategy: string | undefined;
}

/** Samples every 200 ms until stop(): the pods' settings and the Deployment's strategy, each time they changed. */
export function sampleFormationSettings(ns: string, selector: string, deployment: string) {
  const seen: SettingsSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const pods = (await clients().core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items;
        const live = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
        const d = await clients().apps.readNamespacedDeployment({ name: deployment, namespace: ns });
        const s = { at: Date.now(), settings: live.map(newClusterEnabledOf).sort(), strategy: d.spec?.strategy?.type };
        const last = seen.at(-1);
        if (!last || last.strategy !== s.strategy || last.settings.join() !== s.settings.join()) seen.push(s);
      } catch {
        // a failed read is no sample
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    samples: () => seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
