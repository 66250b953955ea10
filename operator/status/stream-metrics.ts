// The domain-events streams' metrics (docs/status.md, "Event streams"), on the operator's registry.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { StreamEnd } from './event-stream.ts';
import type { StreamMetrics } from './event-streams.ts';

const PREFIX = 'pekko_bootstrap_operator_';

export function streamMetrics(registry: Registry, open: () => number): StreamMetrics {
  const registers = [registry];
  new Gauge({
    name: `${PREFIX}event_streams`,
    help: 'Domain-events streams open or opening (one per resource at most).',
    registers,
    collect() {
      this.set(open());
    },
  });
  const events = new Counter({
    name: `${PREFIX}stream_events_total`,
    help: 'Member events received on the domain-events streams (keep-alives not counted).',
    registers,
  });
  const ends = new Counter({
    name: `${PREFIX}stream_ends_total`,
    help: 'Domain-events streams that ended, by reason (NotServed, HttpStatus, Garbage, TooLarge, Timeout, Idle, Network, Closed).',
    labelNames: ['reason'],
    registers,
  });
  return {
    events: (count) => events.inc(count),
    ended: (reason: StreamEnd) => ends.inc({ reason }),
  };
}
