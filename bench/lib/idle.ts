// The idle window of a scale phase (phase.ts): after a settle pause, nothing is changed for idleMs while the
// controller's CPU, API requests, probes (the responder's count and the operator's), stream events, applies and
// status writes are counted and its RSS sampled every 5 s.
import type { PhaseOptions, PhaseResult } from './phase.ts';
import { cpuSeconds, loadAverage, machineCpu, memory } from './proc.ts';
import { metric, type Sample } from './prom.ts';
import type { ResponderProcess } from './responder.ts';
import { median, sleep } from './stats.ts';
import type { Subject } from './subject.ts';
import type { Tracker } from './tracker.ts';

export async function measureIdle(
  o: PhaseOptions,
  s: Subject,
  t: Tracker,
  responder: ResponderProcess | undefined,
  r: PhaseResult,
  say: (m: string) => void,
): Promise<void> {
  say(`settling ${o.settleMs / 1000} s, then idle for ${o.idleMs / 1000} s`);
  await sleep(o.settleMs);
  const counters = async () => {
    const m = await s.metrics().catch(() => [] as Sample[]);
    const rs = await responder?.stats();
    return {
      cpu: cpuSeconds(s.pid),
      api: await o.identity.apiRequests(),
      answered: rs ? Object.values(rs.requests).reduce((a, b) => a + b, 0) : undefined,
      members: rs ? (rs.requests['/cluster/members'] ?? 0) : undefined,
      events: rs?.eventsSent,
      probes: metric(m, 'pekko_bootstrap_operator_probes_total'),
      applies: metric(m, 'pekko_bootstrap_operator_applies_total'),
      writes: t.cbWrites,
      machine: machineCpu(),
      at: Date.now(),
    };
  };
  const a = await counters();
  const rss: number[] = [];
  while (Date.now() - a.at < o.idleMs && s.running) {
    const m = memory(s.pid);
    if (m) rss.push(m.rssBytes);
    await sleep(Math.min(5000, Math.max(0, o.idleMs - (Date.now() - a.at))));
  }
  if (!s.running) return;
  const b = await counters();
  const minutes = (b.at - a.at) / 60_000;
  const delta = (x: number | undefined, y: number | undefined) =>
    x === undefined || y === undefined ? undefined : y - x;
  const perMin = (x: number | undefined, y: number | undefined) => {
    const d = delta(x, y);
    return d === undefined ? undefined : d / minutes;
  };
  r.idleSeconds = (b.at - a.at) / 1000;
  r.idleCpuSeconds = delta(a.cpu, b.cpu);
  r.idleApiPerMin = perMin(a.api.all, b.api.all);
  r.idleWatchesPerMin = perMin(a.api.watches, b.api.watches);
  r.idleProbesAnsweredPerMin = perMin(a.answered, b.answered);
  r.idleProbesCountedPerMin = perMin(a.probes, b.probes);
  r.idleMembersPerMin = perMin(a.members, b.members);
  r.idleStreamEventsPerMin = perMin(a.events, b.events);
  r.idleApplies = delta(a.applies, b.applies);
  if (responder) r.streamsOpen = (await responder.stats()).streams;
  r.idleStatusWrites = b.writes - a.writes;
  r.settledRssBytes = median(rss);
  const busy = b.machine.busy - a.machine.busy - (r.idleCpuSeconds ?? 0);
  r.othersBusyPercent = (100 * busy) / (b.machine.total - a.machine.total);
  r.loadAverage = loadAverage();
  say(`idle: ${r.idleCpuSeconds?.toFixed(1)} CPU s, ${r.idleApiPerMin?.toFixed(0)} API requests/min`);
}
