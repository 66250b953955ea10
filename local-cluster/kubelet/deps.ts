// What the pod workers share: one object built in main.ts (the single wiring point) and passed down.
import type { ImageMap } from '../images.ts';
import type { PodNetwork } from '../network/plan.ts';
import type { KubeletConfig } from './config.ts';
import type { Recorder } from './events.ts';
import type { IpAllocator } from './ip-alloc.ts';
import type { Logger } from './log.ts';
import type { ProbeIO } from './probes.ts';
import type { Rest } from './rest.ts';
import type { NsMode } from './runner.ts';
import type { StatusWriter } from './status-writer.ts';

export interface KubeletDeps {
  cfg: KubeletConfig;
  api: Rest;
  log: Logger;
  events: Recorder;
  ips: IpAllocator;
  network: PodNetwork;
  /** the host as pods see it: status.hostIP, KUBERNETES_SERVICE_HOST (the bridge's address, or 127.0.0.1) */
  hostIp: string;
  nsMode: NsMode;
  /** the image map as of now (re-read when its files changed); throws ImageMapError for a broken file */
  images(): ImageMap;
  /** how the map is described in ErrImagePull messages */
  imageMapHint: string;
  statusWriter: StatusWriter;
  probeIO: ProbeIO;
}

/** Annotation that switches a pod to status-only mode (no process; Running and Ready at once). */
export const STATUS_ONLY_ANNOTATION = 'local.pekko-operator.dev/status-only';

export const nowIso = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
