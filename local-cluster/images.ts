// The image map: how the local kubelet turns an image reference into a local command.
//   {"<image ref>": {"command": [...], "args"?: [...], "env"?: {...}, "cwd"?: "...", "statusOnly"?: true}}
// `command` plays the image's ENTRYPOINT and `args` its CMD (a container's command/args override them as in
// Kubernetes). Placeholders: ${REPO} (repository root) and ${NODE} (the Node binary) are replaced when a map is
// loaded; ${POD_IP}, ${POD_NAME}, ${POD_NAMESPACE} in env values are replaced per pod by the kubelet.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ImageEntry {
  command: string[];
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** no process: the pod is reported Running and Ready at once (for scale tests) */
  statusOnly?: boolean;
}
export type ImageMap = Record<string, ImageEntry>;

export class ImageMapError extends Error {
  readonly code = 'IMAGE_MAP_INVALID';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageMapError';
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Checks the shape of a parsed map; `source` names the file in error messages. */
export function parseImageMap(json: unknown, source: string): ImageMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ImageMapError(`${source}: an image map is a JSON object {"<image>": {"command": [...]}}`);
  }
  const out: ImageMap = {};
  for (const [ref, raw] of Object.entries(json as Record<string, unknown>)) {
    const e = raw as Partial<ImageEntry> | null;
    const where = `${source}: image "${ref}"`;
    if (typeof e !== 'object' || e === null) throw new ImageMapError(`${where}: entry must be an object`);
    if (!e.statusOnly && (!isStrings(e.command) || e.command.length === 0)) {
      throw new ImageMapError(`${where}: "command" must be a non-empty array of strings (or set "statusOnly": true)`);
    }
    if (e.args !== undefined && !isStrings(e.args)) throw new ImageMapError(`${where}: "args" must be strings`);
    if (e.env !== undefined && (typeof e.env !== 'object' || Object.values(e.env).some((v) => typeof v !== 'string')))
      throw new ImageMapError(`${where}: "env" must map names to strings`);
    if (e.cwd !== undefined && typeof e.cwd !== 'string') throw new ImageMapError(`${where}: "cwd" must be a string`);
    out[ref] = {
      command: e.command ?? [],
      ...(e.args ? { args: e.args } : {}),
      ...(e.env ? { env: e.env } : {}),
      ...(e.cwd ? { cwd: e.cwd } : {}),
      ...(e.statusOnly ? { statusOnly: true } : {}),
    };
  }
  return out;
}

/** Replaces ${NAME} for the names given; unknown placeholders stay as they are. */
export function substitute(s: string, vars: Readonly<Record<string, string>>): string {
  return s.replace(/\$\{([A-Z_]+)\}/g, (m, name: string) => vars[name] ?? m);
}

export function resolvePlaceholders(map: ImageMap, vars: Readonly<Record<string, string>>): ImageMap {
  const sub = (s: string) => substitute(s, vars);
  const out: ImageMap = {};
  for (const [ref, e] of Object.entries(map)) {
    out[ref] = {
      ...e,
      command: e.command.map(sub),
      ...(e.args ? { args: e.args.map(sub) } : {}),
      ...(e.env ? { env: Object.fromEntries(Object.entries(e.env).map(([k, v]) => [k, sub(v)])) } : {}),
      ...(e.cwd ? { cwd: sub(e.cwd) } : {}),
    };
  }
  return out;
}

/** The names an image reference may be written as: as given, and without Docker Hub's implicit prefixes. */
export function imageAliases(ref: string): string[] {
  const names = [ref];
  for (const p of ['docker.io/library/', 'docker.io/', 'index.docker.io/library/']) {
    if (ref.startsWith(p)) names.push(ref.slice(p.length));
  }
  const last = names[names.length - 1] as string;
  if (!/:[^/]+$/.test(last) && !last.includes('@')) names.push(`${last}:latest`);
  return names;
}

export function lookupImage(map: ImageMap, ref: string): ImageEntry | undefined {
  for (const name of imageAliases(ref)) {
    const e = map[name];
    if (e) return e;
  }
  return undefined;
}

/** The files of a cluster's map, in merge order: the map written at cluster-up, then images.d/*.json by name. */
export function imageMapFiles(mainFile: string, extraDir: string): string[] {
  const extra = existsSync(extraDir)
    ? readdirSync(extraDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(extraDir, f))
    : [];
  return [...(existsSync(mainFile) ? [mainFile] : []), ...extra];
}

/** Reads and merges map files (later files win), replacing ${REPO}/${NODE}-style placeholders. */
export function loadImageMaps(files: readonly string[], vars: Readonly<Record<string, string>>): ImageMap {
  let merged: ImageMap = {};
  for (const f of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(f, 'utf8'));
    } catch (err) {
      throw new ImageMapError(`${f}: cannot read: ${(err as Error).message}`, { cause: err });
    }
    merged = { ...merged, ...resolvePlaceholders(parseImageMap(json, f), vars) };
  }
  return merged;
}

/** A fingerprint of the files (names, sizes, mtimes), so a reader reloads only when one changed. */
export function filesFingerprint(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f);
        return `${f}:${s.size}:${s.mtimeMs}`;
      } catch {
        return `${f}:-`;
      }
    })
    .join('|');
}
