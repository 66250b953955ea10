// The e2e helpers' configuration, read once from the environment (the only place in test-e2e/lib that reads it).
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface E2eEnv {
  /** the shared cluster's folder: CLUSTER_DIR, else <repo>/.cluster (what `make cluster-up` makes) */
  clusterDir: string;
  /** E2E_KEEP_NAMESPACES=1: a failed test's namespace is left for inspection */
  keepFailedNamespaces: boolean;
}

export const e2eEnv: Readonly<E2eEnv> = Object.freeze({
  clusterDir: resolve(process.env.CLUSTER_DIR || resolve(REPO_ROOT, '.cluster')),
  keepFailedNamespaces: process.env.E2E_KEEP_NAMESPACES === '1',
});
