// One GET /cluster/domain-events on one pod, held open (docs/status.md, "Event streams"): Pekko Management's
// server-sent events of member changes. The stream only tells that the cluster may have changed; the probes read
// what it is. Bounded like the probes: a deadline for the answer's headers, a line and event size cap, and an idle
// deadline (Pekko sends a keep-alive every 10 s, so a stream silent for longer than `idleMs` is dead). Whatever the
// peer sends ends the stream with a reason, never an exception: a 404 (the route is not served), another status, not
// an event stream, an event whose data is not a JSON object with a `type`, a line too long, silence, a reset, the end.
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { SseError, type SseEvent, SseParser } from './sse.ts';

/** Why a stream ended: a stable label for the metrics and the backoff. */
export type StreamEnd = 'NotServed' | 'HttpStatus' | 'Garbage' | 'TooLarge' | 'Timeout' | 'Idle' | 'Network' | 'Closed';

export interface StreamHandlers {
  /** The pod answered 200 with an event stream. */
  onOpen(): void;
  /** Member events arrived, once per chunk read; keep-alives are not passed on. */
  onEvents(events: MemberEvent[]): void;
  /** The stream ended; called once, and never after close(). */
  onEnd(reason: StreamEnd, message: string): void;
}

/** A member event: its type (MemberUp, LeaderChanged, ...) and the member's or leader's address when it names one. */
export interface MemberEvent {
  type: string;
  address?: string;
}

export interface StreamLimits {
  /** The answer's headers must arrive within this long. */
  connectTimeoutMs: number;
  /** Nothing at all (not even a keep-alive) for this long ends the stream. */
  idleMs: number;
  /** The longest line, and the largest event, in characters. */
  maxLine: number;
}

export interface StreamHandle {
  close(): void;
}

/** The port the stream holder uses; tests pass a fake, main the real one. */
export type OpenStream = (url: string, handlers: StreamHandlers, limits: StreamLimits) => StreamHandle;

/** A member event's data: a JSON object with a string `type`; else undefined. */
function memberEvent(e: SseEvent): MemberEvent | undefined {
  let v: { type?: unknown; address?: unknown; member?: { uniqueAddress?: { address?: unknown } } };
  try {
    v = JSON.parse(e.data);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || typeof v.type !== 'string') return undefined;
  const address = v.member?.uniqueAddress?.address ?? v.address;
  return typeof address === 'string' ? { type: v.type, address } : { type: v.type };
}

export const openEventStream: OpenStream = (url, handlers, limits) => {
  let done = false;
  let req: ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;
  const end = (reason: StreamEnd, message: string) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req?.destroy();
    handlers.onEnd(reason, message);
  };
  const deadline = (ms: number, reason: StreamEnd, message: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => end(reason, message), ms);
    timer.unref();
  };

  const onResponse = (res: IncomingMessage) => {
    const type = String(res.headers['content-type'] ?? '');
    if (res.statusCode === 404) return end('NotServed', 'HTTP 404: the node does not serve /cluster/domain-events');
    if (res.statusCode !== 200) return end('HttpStatus', `HTTP ${res.statusCode}`);
    if (!type.startsWith('text/event-stream')) return end('Garbage', `not an event stream (${type || 'no type'})`);
    const parser = new SseParser(limits.maxLine);
    res.setEncoding('utf8');
    deadline(limits.idleMs, 'Idle', `nothing for ${limits.idleMs} ms`);
    handlers.onOpen();
    res.on('data', (chunk: string) => {
      if (done) return;
      deadline(limits.idleMs, 'Idle', `nothing for ${limits.idleMs} ms`);
      let events: SseEvent[];
      try {
        events = parser.push(chunk);
      } catch (err) {
        return end(err instanceof SseError ? 'TooLarge' : 'Garbage', (err as Error).message);
      }
      const members: MemberEvent[] = [];
      for (const e of events) {
        if (e.data === '') continue; // a keep-alive
        const m = memberEvent(e);
        if (!m) return end('Garbage', `an event that is not a member event: ${e.data.slice(0, 80)}`);
        members.push(m);
      }
      if (members.length) handlers.onEvents(members);
    });
    res.on('end', () => end('Closed', 'the node ended the stream'));
    res.on('error', (err) => end('Network', err.message));
  };

  try {
    req = request(url, { method: 'GET', headers: { accept: 'text/event-stream' }, agent: false }, onResponse);
  } catch (err) {
    // A malformed URL: reported like any other failure, after the caller got its handle.
    queueMicrotask(() => end('Network', (err as Error).message));
    return { close: () => (done = true) };
  }
  deadline(limits.connectTimeoutMs, 'Timeout', `no answer within ${limits.connectTimeoutMs} ms`);
  req.on('error', (err) => end('Network', err.message));
  req.on('close', () => end('Closed', 'the connection closed'));
  req.end();
  return {
    close() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req?.destroy();
    },
  };
};
