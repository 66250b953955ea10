// One pod bound to this node, from first sight to deletion: a pod IP, its network namespace (the "sandbox", shared by
// all its containers), its volumes, its init containers in order, then its containers; status written on every
// change. Deletion: SIGTERM to every container, SIGKILL after the
// grace period, then the pod object is deleted with grace 0 so it goes, as a real kubelet does.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { lookupImage } from '../images.ts';
import { createPodNetns, deletePodNetns, netnsPath, type PodNetRecord } from '../network/pod-netns.ts';
import { Container, type ContainerKind, type PodContext } from './container.ts';
import { type KubeletDeps, nowIso, STATUS_ONLY_ANNOTATION } from './deps.ts';
import type { Logger } from './log.ts';
import { ApiError } from './rest.ts';
import { type Condition, type PodView, podStatus } from './status.ts';
import { PodVolumes, VolumeError } from './volumes.ts';

const OWN_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

export class PodWorker {
  readonly uid: string;
  readonly #deps: KubeletDeps;
  readonly #log: Logger;
  #pod: V1Pod;
  #ip: string | undefined;
  #volumes: PodVolumes | undefined;
  #net: PodNetRecord | undefined;
  /** the namespace being made, awaited before removing it */
  #netting: Promise<PodNetRecord> | undefined;
  readonly #init: Container[];
  readonly #containers: Container[];
  readonly #startTime: string;
  #sandboxReady = false;
  #terminating = false;
  #finished = false;
  #ownConditions: Condition[] | undefined;
  /** called once the worker is done and forgotten (after deletion) */
  onFinished: () => void = () => {};

  constructor(deps: KubeletDeps, pod: V1Pod) {
    this.#deps = deps;
    this.#pod = pod;
    this.uid = pod.metadata?.uid ?? '';
    this.#log = deps.log.child({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` });
    this.#startTime = (pod.status?.startTime as unknown as string | undefined) ?? nowIso();
    const ctx: PodContext = {
      deps,
      log: this.#log,
      pod: () => this.#pod,
      podIP: () => this.#ip ?? '',
      netns: () => (this.#net ? netnsPath(this.#net) : undefined),
      volumes: () => this.#volumes,
      restartPolicy: () => (this.#pod.spec?.restartPolicy as 'Always' | 'OnFailure' | 'Never' | undefined) ?? 'Always',
      changed: () => this.#changed(),
    };
    const previous = (name: string, init: boolean) =>
      (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.find((s) => s.name === name)
        ?.restartCount ?? 0;
    const make = (kind: ContainerKind) => (c: NonNullable<V1Pod['spec']>['containers'][number]) =>
      new Container(ctx, c, kind, previous(c.name, kind !== 'regular'));
    this.#init = (pod.spec?.initContainers ?? []).map((c) =>
      make(c.restartPolicy === 'Always' ? 'sidecar' : 'init')(c),
    );
    this.#containers = (pod.spec?.containers ?? []).map(make('regular'));
  }

  get #ns(): string {
    return this.#pod.metadata?.namespace ?? '';
  }

  get #name(): string {
    return this.#pod.metadata?.name ?? '';
  }

  /** The newest version of the pod from the watch. */
  update(pod: V1Pod): void {
    this.#pod = pod;
    if (pod.metadata?.deletionTimestamp && !this.#terminating) void this.terminate(false);
  }

  #statusOnly(): boolean {
    if (this.#pod.metadata?.annotations?.[STATUS_ONLY_ANNOTATION] === 'true') return true;
    try {
      const map = this.#deps.images();
      return [...this.#init, ...this.#containers].every((c) => lookupImage(map, c.view.image)?.statusOnly === true);
    } catch {
      return false;
    }
  }

  #view(): PodView {
    return {
      restartPolicy: (this.#pod.spec?.restartPolicy as PodView['restartPolicy'] | undefined) ?? 'Always',
      ...(this.#ip ? { podIP: this.#ip } : {}),
      hostIP: this.#deps.hostIp,
      startTime: this.#startTime,
      sandboxReady: this.#sandboxReady,
      init: this.#init.map((c) => c.view),
      containers: this.#containers.map((c) => c.view),
      readinessGates: (this.#pod.spec?.readinessGates ?? []).map((g) => g.conditionType),
    };
  }

  #changed(): void {
    if (this.#finished) return;
    this.#deps.statusWriter.request({
      namespace: this.#ns,
      name: this.#name,
      uid: this.uid,
      status: () => {
        if (this.#finished) return undefined;
        const theirs = ((this.#pod.status?.conditions ?? []) as unknown as Condition[]).filter(
          (c) => !OWN_CONDITIONS.has(c.type),
        );
        const s = podStatus(this.#view(), [...theirs, ...(this.#ownConditions ?? [])], nowIso());
        this.#ownConditions = (s.conditions as Condition[]).filter((c) => OWN_CONDITIONS.has(c.type));
        return s;
      },
    });
  }

  /** Runs the pod: IP, volumes, init containers in order, then every container. */
  async start(): Promise<void> {
    const ips = this.#deps.ips;
    const had = this.#pod.status?.podIP;
    // hostNetwork pods share the node's address (and network), as on a real node
    if (this.#pod.spec?.hostNetwork) this.#ip = this.#deps.hostIp;
    else this.#ip = had && ips.claim(had) ? had : ips.allocate();
    if (this.#statusOnly()) {
      this.#sandboxReady = true;
      for (const c of [...this.#init, ...this.#containers]) c.fake();
      this.#changed();
      return;
    }
    this.#changed();
    const podDir = join(this.#deps.cfg.layout.pods, this.uid);
    mkdirSync(podDir, { recursive: true });
    // the namespace is made while the volumes are (their API calls take longer): the pod starts no later for it
    const sandbox =
      this.#deps.network.mode === 'netns' && !this.#pod.spec?.hostNetwork ? this.#makeSandbox(podDir) : undefined;
    const addrs = { podIP: this.#ip, hostIP: this.#deps.hostIp };
    this.#volumes = new PodVolumes(this.#deps.api, this.#pod, podDir, addrs, (msg) =>
      this.#log.warn({ err: msg }, 'token refresh failed'),
    );
    for (let delay = 250; !this.#terminating; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.#volumes.setup();
        break;
      } catch (err) {
        if (!(err instanceof VolumeError)) throw err;
        this.#log.info({ err: err.message }, 'volume setup not possible yet');
        if (delay >= 2000) this.#deps.events.event(this.#pod, 'Warning', 'FailedMount', err.message);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    await sandbox;
    if (this.#terminating) return;
    this.#sandboxReady = true;
    this.#changed();
    for (const c of this.#init) {
      if (this.#terminating) return;
      await c.start();
      if (c.kind === 'init' && !(await c.done)) return;
    }
    if (this.#terminating) return;
    await Promise.all(this.#containers.map((c) => c.start()));
  }

  /** The pod's network namespace, retried with a back-off (and reported, as a kubelet does) until it exists. */
  async #makeSandbox(podDir: string): Promise<void> {
    const net = this.#deps.network;
    const ip = this.#ip ?? '';
    const index = this.#deps.ips.indexOf(ip);
    if (net.mode !== 'netns' || index === undefined) return;
    for (let delay = 500; !this.#terminating; delay = Math.min(delay * 2, 10000)) {
      const made = createPodNetns(net, ip, index, podDir);
      this.#netting = made;
      try {
        this.#net = await made;
        this.#log.debug({ netns: this.#net.netns }, 'network namespace ready');
        return;
      } catch (err) {
        const msg = `Failed to create pod sandbox: ${(err as Error).message}`;
        this.#log.warn({ err: msg }, 'network namespace setup failed');
        this.#deps.events.event(this.#pod, 'Warning', 'FailedCreatePodSandBox', msg);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * Stops every container (SIGTERM, SIGKILL after the grace period) and, unless the pod object is already gone,
   * deletes it with grace 0. `gone`: the pod vanished from the API (e.g. force-deleted).
   */
  async terminate(gone: boolean): Promise<void> {
    if (this.#terminating) return;
    this.#terminating = true;
    const md = this.#pod.metadata;
    const asked = md?.deletionGracePeriodSeconds ?? this.#pod.spec?.terminationGracePeriodSeconds ?? 30;
    // a pod that vanished (force-deleted) still gets SIGTERM, but only briefly: nobody waits for it any more
    const grace = gone ? Math.min(Math.max(asked, 1), 2) : asked;
    const all = [...this.#containers, ...this.#init];
    for (const c of all.filter((x) => x.running)) {
      this.#deps.events.event(this.#pod, 'Normal', 'Killing', `Stopping container ${c.spec.name}`, c.spec.name);
    }
    this.#log.info({ graceSeconds: grace, gone }, 'stopping pod');
    // containers stop together; sidecars (init) stop after the main containers, as in Kubernetes
    await Promise.all(this.#containers.map((c) => c.stop(grace)));
    await Promise.all(this.#init.map((c) => c.stop(grace)));
    this.#volumes?.stop();
    if (!gone) {
      try {
        await this.#deps.api.request('DELETE', `/api/v1/namespaces/${this.#ns}/pods/${this.#name}`, {
          query: { gracePeriodSeconds: 0 },
          body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
        });
      } catch (err) {
        if (!(err instanceof ApiError && (err.status === 404 || err.status === 409))) {
          this.#log.warn({ err: (err as Error).message }, 'pod delete failed');
        }
      }
    }
    await this.#finish();
  }

  /**
   * Kubelet shutdown: stops the processes but leaves the pod object alone. The network namespace stays for the
   * kubelet to sweep with all the others in one go (local-cluster/network/pod-netns.ts).
   */
  async shutdown(graceSeconds: number): Promise<void> {
    this.#terminating = true;
    this.#finished = true; // no more status writes
    await Promise.all([...this.#containers, ...this.#init].map((c) => c.stop(graceSeconds)));
    this.#volumes?.stop();
  }

  async #finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    // the namespace goes before its address is free again: a new pod's namespace is named after its address
    const made = await this.#netting?.catch(() => undefined);
    const net = this.#net ?? made;
    if (net) {
      await deletePodNetns(net).catch((err: unknown) =>
        this.#log.warn({ err: (err as Error).message }, 'network namespace removal failed'),
      );
    }
    if (this.#ip && !this.#pod.spec?.hostNetwork) this.#deps.ips.release(this.#ip);
    this.#deps.statusWriter.forget(this.uid);
    rmSync(join(this.#deps.cfg.layout.pods, this.uid), { recursive: true, force: true });
    this.#log.info('pod finished');
    this.onFinished();
  }
}
