// Extra image map entries for a test: files in <cluster>/images.d/, which the kubelet stand-in re-reads whenever a
// pod starts. Use a unique name per suite; entries are merged over the default map (later files by name win).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageMap } from '../../local-cluster/images.ts';
import { clusterLayout } from './cluster.ts';

export type { ImageEntry, ImageMap } from '../../local-cluster/images.ts';

/** Writes images.d/<name>.json. ${REPO} and ${NODE} in commands are replaced by the kubelet. */
export function registerImages(name: string, map: ImageMap): string {
  const dir = clusterLayout().imagesDir;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  // written aside, then renamed (the kubelet only reads *.json): it never sees a half-written file
  writeFileSync(`${file}.tmp`, JSON.stringify(map, null, 2));
  renameSync(`${file}.tmp`, file);
  return file;
}

export function unregisterImages(name: string): void {
  rmSync(join(clusterLayout().imagesDir, `${name}.json`), { force: true });
}
