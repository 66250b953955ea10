// One container of one pod: resolves its image through the image map, computes its environment, runs its process
// (restarting it under the pod's restartPolicy with a back-off), runs its probes and keeps its ContainerView true.
import type { V1Container, V1Pod, V1Probe } from '@kubernetes/client-node';
import { ImageMapError, lookupImage } from '../images.ts';
import { podLogFile } from '../layout.ts';
import { pidFile, removePidFile, writePidFile } from '../pod-pids.ts';
import { startProbes } from './container-probes.ts';
import { type KubeletDeps, nowIso } from './deps.ts';
import { EnvError, processSpec } from './env.ts';
import { fetchEnvSources } from './env-sources.ts';
import type { Logger } from './log.ts';
import type { ProbeLoop } from './probe-loop.ts';
import { type ProbeIO, probeOnce } from './probes.ts';
import { type Exit, type Running, runContainer, stopRunning } from './runner.ts';
import type { ContainerView } from './status.ts';
import type { PodVolumes } from './volumes.ts';

/** What a container needs from its pod worker. */
export interface PodContext {
  deps: KubeletDeps;
  log: Logger;
  pod(): V1Pod;
  podIP(): string;
  /** the pod's network namespace (/run/netns/<name>), or undefined: the host's network */
  netns(): string | undefined;
  volumes(): PodVolumes | undefined;
  restartPolicy(): 'Always' | 'OnFailure' | 'Never';
  changed(): void;
}

export type ContainerKind = 'init' | 'sidecar' | 'regular';

const BACKOFF_START_MS = 1000;
const BACKOFF_MAX_MS = 30000;
/** a container that ran this long before exiting restarts without delay and resets its back-off */
const BACKOFF_RESET_MS = 60000;
const IMAGE_RETRY_MS = 5000;

export class Container {
  readonly spec: V1Container;
  readonly kind: ContainerKind;
  readonly view: ContainerView;
  readonly #ctx: PodContext;
  #proc: Running | undefined;
  #probes: ProbeLoop[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #backoffMs = 0;
  #startedAtMs = 0;
  #pulledOnce = false;
  #done: ((ok: boolean) => void) | undefined;
  #starting: Promise<void> | undefined;
  readonly done: Promise<boolean>;

  constructor(ctx: PodContext, spec: V1Container, kind: ContainerKind, restartCount: number) {
    this.#ctx = ctx;
    this.spec = spec;
    this.kind = kind;
    this.view = {
      name: spec.name,
      image: spec.image ?? '',
      state: { kind: 'waiting', reason: 'ContainerCreating' },
      ready: false,
      started: false,
      restartCount,
      ...(kind === 'sidecar' ? { sidecar: true } : {}),
    };
    /** init containers: true once it exited 0; false when it failed for good or was stopped */
    this.done = new Promise((r) => {
      this.#done = r;
    });
  }

  get #pod(): V1Pod {
    return this.#ctx.pod();
  }

  #waiting(reason: string, message?: string): void {
    this.view.state = { kind: 'waiting', reason, ...(message ? { message } : {}) };
    this.view.ready = false;
    this.#ctx.changed();
  }

  #retry(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.start(), ms);
  }

  /** Starts the process (or retries later, reporting why in the waiting state). */
  start(): Promise<void> {
    if (this.#starting) return this.#starting;
    this.#starting = this.#startNow().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #startNow(): Promise<void> {
    if (this.#stopping || this.#proc) return;
    const d = this.#ctx.deps;
    const pod = this.#pod;
    const image = this.spec.image ?? '';
    let entry: ReturnType<typeof lookupImage>;
    try {
      entry = lookupImage(d.images(), image);
    } catch (err) {
      if (!(err instanceof ImageMapError)) throw err;
      entry = undefined;
      d.log.error({ err: err.message }, 'image map unreadable');
    }
    if (!entry) {
      const first = this.view.state.kind !== 'waiting' || this.view.state.reason !== 'ErrImagePull';
      const message = `image "${image}" is not in the local image map (${d.imageMapHint}); see docs/local-cluster.md`;
      this.#waiting(first ? 'ErrImagePull' : 'ImagePullBackOff', message);
      d.events.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`, this.spec.name);
      this.#retry(IMAGE_RETRY_MS);
      return;
    }
    if (!this.#pulledOnce) {
      this.#pulledOnce = true;
      d.events.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, this.spec.name);
    }
    const podIP = this.#ctx.podIP();
    let spec: ReturnType<typeof processSpec>;
    try {
      const ctx = {
        pod,
        podIP,
        hostIP: d.hostIp,
        // the API server as pods reach it: on the bridge's address (a relay, api-relay.ts), else on 127.0.0.1
        apiserverHost: d.hostIp,
        apiserverPort: d.cfg.apiserverPort,
        hostEnv: d.cfg.hostEnv,
      };
      spec = processSpec(
        this.spec,
        entry,
        ctx,
        await fetchEnvSources(d.api, pod.metadata?.namespace ?? '', this.spec),
        d.cfg.repoRoot,
      );
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      this.#waiting('CreateContainerConfigError', err.message);
      d.events.event(pod, 'Warning', 'Failed', `Error: ${err.message}`, this.spec.name);
      this.#retry(2000);
      return;
    }
    if (this.#stopping) return;
    const md = pod.metadata ?? {};
    const logFile = podLogFile(d.cfg.layout, md.namespace ?? '', md.name ?? '', this.spec.name);
    const mounts = this.#ctx.volumes()?.mountsFor(this.spec) ?? [];
    let running: Running;
    try {
      running = await runContainer(
        {
          name: this.spec.name,
          command: spec.command,
          env: spec.env,
          cwd: spec.cwd,
          logFile,
          mounts,
          netns: this.#ctx.netns(),
        },
        d.nsMode,
      );
    } catch (err) {
      const t = nowIso();
      this.#exited({ code: 128, signal: null, message: (err as Error).message }, t, 'StartError');
      return;
    }
    this.#proc = running;
    this.#startedAtMs = Date.now();
    writePidFile(pidFile(d.cfg.layout.pods, md.uid ?? '', this.spec.name), running.ref);
    this.view.state = { kind: 'running', startedAt: nowIso() };
    this.view.containerID = `local://${running.ref.pid}`;
    this.view.started = !this.spec.startupProbe;
    this.view.ready = this.view.started && !this.spec.readinessProbe;
    this.#ctx.log.info({ container: this.spec.name, pid: running.ref.pid, command: spec.command }, 'container started');
    d.events.event(pod, 'Normal', 'Started', `Started container ${this.spec.name}`, this.spec.name);
    this.#startProbes(spec.env, running);
    const startedAt = this.view.state.startedAt;
    void running.exited.then((exit) => this.#exited(exit, startedAt));
    this.#ctx.changed();
  }

  #probeIO(running: Running): ProbeIO {
    const io = this.#ctx.deps.probeIO;
    const ns = [...(this.#ctx.deps.nsMode === 'mount' ? ['-m'] : []), ...(this.#ctx.netns() ? ['-n'] : [])];
    if (ns.length === 0) return io;
    // exec probes run inside the container's mount and network namespaces: they see its volumes and its localhost
    return {
      ...io,
      exec: (argv, env, t) => io.exec(['nsenter', '-t', String(running.ref.pid), ...ns, '--', ...argv], env, t),
    };
  }

  #startProbes(env: Record<string, string>, running: Running): void {
    const io = this.#probeIO(running);
    const name = this.spec.name;
    startProbes(
      this.spec,
      {
        attempt: (p) => probeOnce(p, this.spec, this.#ctx.podIP(), env, io),
        ready: (ok) => {
          this.view.ready = ok && this.view.started;
          this.#ctx.changed();
        },
        started: () => {
          if (this.view.started) return;
          this.view.started = true;
          this.view.ready = !this.spec.readinessProbe;
          this.#ctx.changed();
        },
        failed: (probe, why) => this.#killForRestart(probe, why),
        unhealthy: (kind, msg) => {
          const k = `${kind[0]?.toUpperCase()}${kind.slice(1)}`;
          this.#ctx.deps.events.event(this.#pod, 'Warning', 'Unhealthy', `${k} probe failed: ${msg ?? ''}`, name);
        },
      },
      this.#probes,
    );
  }

  #stopProbes(): void {
    for (const p of this.#probes) p.stop();
    this.#probes = [];
  }

  #killForRestart(probe: V1Probe, why: string): void {
    const grace = probe.terminationGracePeriodSeconds ?? this.#pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.#ctx.deps.events.event(
      this.#pod,
      'Normal',
      'Killing',
      `Container ${this.spec.name} ${why}, will be restarted`,
      this.spec.name,
    );
    this.#stopProbes();
    void this.#kill(grace * 1000);
  }

  /** SIGTERM to the process, SIGKILL to its group after graceMs; resolves when it has exited. */
  async #kill(graceMs: number): Promise<void> {
    if (this.#proc) await stopRunning(this.#proc, graceMs);
  }

  #exited(exit: Exit, startedAt: string, reason?: string): void {
    const d = this.#ctx.deps;
    const uid = this.#pod.metadata?.uid ?? '';
    if (this.#proc) {
      try {
        process.kill(-this.#proc.ref.pid, 'SIGKILL'); // whatever the process left behind in its group
      } catch {
        // no group left
      }
    }
    this.#proc = undefined;
    removePidFile(pidFile(d.cfg.layout.pods, uid, this.spec.name));
    this.#stopProbes();
    const terminated = {
      kind: 'terminated' as const,
      exitCode: exit.code,
      ...(exit.signal ? { signal: exit.code - 128 } : {}),
      reason: reason ?? (exit.code === 0 ? 'Completed' : 'Error'),
      ...(exit.message ? { message: exit.message } : {}),
      startedAt,
      finishedAt: nowIso(),
    };
    this.#ctx.log.info({ container: this.spec.name, exitCode: exit.code, signal: exit.signal }, 'container exited');
    this.view.ready = false;
    this.view.started = false;
    this.view.state = terminated;
    const policy = this.#ctx.restartPolicy();
    const restart =
      !this.#stopping &&
      (this.kind === 'sidecar' ||
        policy === 'Always' ||
        (policy === 'OnFailure' && exit.code !== 0) ||
        (this.kind === 'init' && exit.code !== 0 && policy !== 'Never'));
    if (this.kind === 'init' && exit.code === 0) this.#done?.(true);
    else if (!restart) this.#done?.(false);
    else {
      this.view.lastState = terminated;
      const ranMs = Date.now() - this.#startedAtMs;
      this.#backoffMs =
        ranMs > BACKOFF_RESET_MS ? 0 : Math.min(Math.max(this.#backoffMs * 2, BACKOFF_START_MS), BACKOFF_MAX_MS);
      const pod = this.#pod.metadata;
      const msg = `back-off ${this.#backoffMs / 1000}s restarting failed container=${this.spec.name} pod=${pod?.name}_${pod?.namespace}(${uid})`;
      this.#waiting('CrashLoopBackOff', msg);
      d.events.event(this.#pod, 'Warning', 'BackOff', 'Back-off restarting failed container', this.spec.name);
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.view.restartCount++;
        void this.start();
      }, this.#backoffMs);
    }
    this.#ctx.changed();
  }

  /** Stops for good: no more restarts; SIGTERM, then SIGKILL after graceSeconds. */
  async stop(graceSeconds: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    await this.#starting; // a start under way finishes first, so its process is not missed
    this.#stopProbes();
    this.#done?.(false);
    await this.#kill(graceSeconds * 1000);
  }

  /** Status-only mode: reported running and ready with no process. */
  fake(): void {
    this.view.state = { kind: 'running', startedAt: nowIso() };
    this.view.started = true;
    this.view.ready = true;
  }

  get running(): boolean {
    return this.#proc !== undefined;
  }
}
