// What one setting of the operator-agent contract is: its Pekko key, the env names the agent reads it from, its
// type, default and meaning, and, when the operator hands it to the pods, how. catalog.ts lists them all; the
// operator renders from that list (operator/render/env.ts), the agent parses from it (agent/config.ts), and
// `make generate` writes the agent's table in docs/agent.md from it. Pure.
import type { Resolved } from '../api/resolve.ts';
import type { ValueType } from './value-types.ts';

/**
 * Where the operator writes a value: `pekko`, a -D system property in JAVA_TOOL_OPTIONS of a `workload: pekko` app;
 * `agent`, an env var of the agent (the app container of `workload: agent`, or the `bootstrap-agent` sidecar);
 * `sidecar`, an env var of the sidecar only.
 */
export type Target = 'pekko' | 'agent' | 'sidecar';

/** The operator writes a value it takes from the resolved resource; undefined: it writes nothing. */
export interface ValueRender {
  readonly value: (r: Resolved) => string | number | boolean | undefined;
  readonly to: readonly Target[];
  /** For the docs: where the value comes from (`spec.management.port`, `always true`). */
  readonly from: string;
}

/**
 * The operator sets an env var from a pod field (the downward API), in every container of the cluster, for both
 * workloads, before the other settings, so later values may refer to it as $(NAME).
 */
export interface FieldRender {
  readonly field: string;
  /** The env name written, one of the setting's names; default: the first. */
  readonly name?: string;
  readonly from: string;
}

export type Render = ValueRender | FieldRender;

export interface Setting<T = unknown, D extends T | undefined = T | undefined> {
  /** Pekko's config key; undefined for the agent's own settings and the pod's identity. */
  readonly key: string | undefined;
  /** The env names the agent reads, the first one set wins; empty: the agent does not read it (Pekko only). */
  readonly env: readonly string[];
  readonly type: ValueType<T>;
  /** The value when no env name is set; undefined: unset, or derived by the agent (`defaultDoc` says how). */
  readonly default: D;
  /** The default as the docs show it. */
  readonly defaultDoc: string;
  /** One line for the docs: what the setting means. */
  readonly doc: string;
  readonly render: Render | undefined;
}

/** A Pekko key as an env var name: upper case, '.' and '-' to '_' (Pekko's own convention for overrides). */
export function envName(key: string): string {
  return key.toUpperCase().replace(/[.-]/g, '_');
}

export interface SettingSpec<T, D extends T | undefined> {
  key?: string;
  /** The env name when it is not envName(key). */
  env?: string;
  /** More env names read after the first (Pekko's own short ones). */
  aliases?: readonly string[];
  type: ValueType<T>;
  default?: D;
  defaultDoc?: string;
  doc: string;
  render?: Render;
}

/** A setting the agent reads: from envName(key), or `env` for one without a Pekko key, then the aliases. */
export function setting<T, const D extends T | undefined = undefined>(
  s: SettingSpec<T, D> & ({ key: string } | { env: string }),
): Setting<T, D> {
  const first = s.env ?? envName(s.key as string);
  const defaultDoc = s.defaultDoc ?? (s.default === undefined ? 'unset' : `\`${s.type.show(s.default as T)}\``);
  return {
    key: s.key,
    env: [first, ...(s.aliases ?? [])],
    type: s.type,
    default: s.default as D,
    defaultDoc,
    doc: s.doc,
    render: s.render,
  };
}

/** A setting only Pekko reads: the operator writes it as a system property; the agent has no name for it. */
export function pekkoSetting<T>(
  s: Pick<SettingSpec<T, undefined>, 'type' | 'doc'> & { key: string; render: ValueRender },
): Setting<T, undefined> {
  return { ...s, env: [], default: undefined, defaultDoc: 'unset' };
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The first of the setting's env names that is set to non-blank text, and that text trimmed. */
export function lookup(env: Env, s: Pick<Setting, 'env'>): { name: string; text: string } | undefined {
  for (const name of s.env) {
    const text = env[name]?.trim();
    if (text) return { name, text };
  }
  return undefined;
}

export const isFieldRender = (r: Render | undefined): r is FieldRender => r !== undefined && 'field' in r;
export const isValueRender = (r: Render | undefined): r is ValueRender => r !== undefined && 'value' in r;
