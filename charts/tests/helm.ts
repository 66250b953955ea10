// Runs the cached Helm binary (local-cluster/ensure-helm.sh) against the chart and parses what it renders.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { accessTriples, leaseAccess, reconcileAccess } from '../../operator/api-access.ts';

/** The repository root, whatever the working directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = `${ROOT}charts/pekko-bootstrap-operator`;
export const FULL_VALUES = `${ROOT}charts/tests/full-values.yaml`;
export const RELEASE = 'pbo-test';
export const NAMESPACE = 'pekko-system';

let helmPath: string | undefined;

/** The Helm binary's path: the last line ensure-helm.sh prints (it builds Helm once, then answers from cache). */
export function helmBin(): string {
  if (!helmPath) {
    const out = execFileSync(`${ROOT}local-cluster/ensure-helm.sh`, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    helmPath = out.trim().split('\n').at(-1)!;
  }
  return helmPath;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmResult {
  const r = spawnSync(helmBin(), args, { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

// A Kubernetes object as rendered; the tests read it by path.
// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped; the assertions check its shape
export type K8sObject = Record<string, any>;

/** `helm template` with extra args; throws with Helm's stderr when rendering fails. */
export function render(args: string[] = []): K8sObject[] {
  const r = helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args]);
  if (r.code !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${r.stderr}`);
  return parseDocuments(r.stdout);
}

/** Multi-document YAML to plain objects, empty documents (only comments) left out. Not client-node's loadYaml: it
 * turns objects into model classes with renamed fields (NetworkPolicy `from` becomes `_from`). */
export function parseDocuments(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

export function ofKind(objs: K8sObject[], kind: string): K8sObject[] {
  return objs.filter((o) => o.kind === kind);
}

export function one(objs: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!;
}

/** RBAC rules flattened to sorted "group/resource:verb" triples, so that rule grouping does not matter. */
export function triples(rules: K8sObject[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) for (const v of r.verbs ?? []) out.push(`${g}/${res}:${v}`);
    }
  }
  return out.sort();
}

/**
 * The operator's API use (operator/api-access.ts), as triples: exactly what the chart must grant. `filter` picks
 * rules by API group and resource.
 */
export function operatorTriples(filter: (group: string, resource: string) => boolean = () => true): string[] {
  return accessTriples([...reconcileAccess(), ...leaseAccess()].filter((a) => filter(a.group, a.resource)));
}

/** What the ClusterRole (or the watched namespaces' Roles) must grant: the reconcilers' API use. */
export const reconcileTriples = (): string[] => accessTriples(reconcileAccess());
/** What the leader-election Role in the release namespace must grant. */
export const leaderElectionTriples = (): string[] => accessTriples(leaseAccess());

export function env(container: K8sObject, name: string): K8sObject | undefined {
  return (container.env as K8sObject[] | undefined)?.find((e) => e.name === name);
}
