// The probes of one container run: the startup probe first (when there is one), then readiness and liveness.
// What a result means is left to the hooks: readiness sets Ready, a failed liveness or startup probe restarts.
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { type ProbeKind, ProbeLoop } from './probe-loop.ts';
import type { ProbeResult } from './probes.ts';

export interface ProbeHooks {
  attempt(probe: V1Probe): Promise<ProbeResult>;
  /** the readiness result flipped */
  ready(ok: boolean): void;
  /** the startup probe passed (or there is none): readiness and liveness run from now on */
  started(): void;
  /** a liveness or startup probe failed for good: kill the container so that it restarts */
  failed(probe: V1Probe, why: string): void;
  /** one failed attempt, for an Unhealthy Event */
  unhealthy(kind: ProbeKind, message: string | undefined): void;
}

/** Starts the container's probe loops; `loops` receives every loop started (now or after startup) for stopping. */
export function startProbes(c: V1Container, h: ProbeHooks, loops: ProbeLoop[]): void {
  const loop = (kind: ProbeKind, p: V1Probe, onChange: (ok: boolean) => void) => {
    const l = new ProbeLoop(
      kind,
      p,
      () => h.attempt(p),
      onChange,
      (msg) => h.unhealthy(kind, msg),
    );
    loops.push(l);
    l.start();
  };
  const main = () => {
    h.started();
    const { readinessProbe: readiness, livenessProbe: liveness } = c;
    if (readiness) loop('readiness', readiness, (ok) => h.ready(ok));
    if (liveness)
      loop('liveness', liveness, (ok) => {
        if (!ok) h.failed(liveness, 'failed liveness probe');
      });
  };
  const startup = c.startupProbe;
  if (!startup) {
    main();
    return;
  }
  loop('startup', startup, (ok) => {
    if (ok) main();
    else h.failed(startup, 'failed startup probe');
  });
}
