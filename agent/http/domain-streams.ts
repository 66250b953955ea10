// The open GET /cluster/domain-events streams of one agent (docs/agent.md, "What it serves"). The events are the
// changes of what /cluster/members shows (domain-events.ts): a subscriber first gets the current picture as events,
// as Pekko's InitialStateAsEvents subscription does, then each change the agent reports with update(). A keep-alive
// goes to every stream every 10 s, on the injected clock. close() ends every stream (the agent stops).
import type { Clock, Timer } from '../../core/runtime/clock.ts';
import type { View } from '../membership/view.ts';
import type { ReplyStream, StreamReply } from '../ports.ts';
import {
  domainEvents,
  EMPTY_PICTURE,
  EVENT_STREAM_TYPE,
  formatDomainEvent,
  KEEP_ALIVE,
  KEEP_ALIVE_MS,
  type Picture,
  pictureOf,
  typeFilter,
} from './domain-events.ts';

interface Subscriber {
  out: ReplyStream;
  wants: (type: string) => boolean;
}

export class DomainStreams {
  readonly #clock: Clock;
  /** What /cluster/members shows now. */
  readonly #current: () => View | undefined;
  readonly #subscribers = new Set<Subscriber>();
  #view: View | undefined;
  #picture: Picture = EMPTY_PICTURE;
  #keepAlive: Timer | undefined;
  #closed = false;

  constructor(clock: Clock, current: () => View | undefined) {
    this.#clock = clock;
    this.#current = current;
  }

  /** Streams open now. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** The reply to GET /cluster/domain-events[?type=...]: the current members as events, then their changes. */
  reply(path: string): StreamReply {
    return {
      status: 200,
      contentType: EVENT_STREAM_TYPE,
      body: '',
      open: (out) => {
        if (this.#closed) {
          out.end();
          return () => {};
        }
        this.update(this.#current()); // the others first get what changed since the last update, if anything
        const s: Subscriber = { out, wants: typeFilter(path) };
        this.#send(s, domainEvents(EMPTY_PICTURE, this.#picture));
        this.#subscribers.add(s);
        this.#scheduleKeepAlive();
        return () => this.#subscribers.delete(s);
      },
    };
  }

  /** What /cluster/members shows may have changed: sends the events from the last picture to this one. */
  update(view: View | undefined): void {
    if (view === this.#view) return;
    this.#view = view;
    const next = pictureOf(view);
    const events = domainEvents(this.#picture, next);
    this.#picture = next;
    if (events.length) for (const s of this.#subscribers) this.#send(s, events);
  }

  /** Ends every stream; later requests get an empty stream that ends at once. */
  close(): void {
    this.#closed = true;
    this.#keepAlive?.cancel();
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    for (const s of subscribers) s.out.end();
  }

  #send(s: Subscriber, events: ReturnType<typeof domainEvents>): void {
    const text = events
      .filter((e) => s.wants(e.type))
      .map(formatDomainEvent)
      .join('');
    if (text) s.out.write(text);
  }

  #scheduleKeepAlive(): void {
    if (this.#keepAlive) return;
    this.#keepAlive = this.#clock.setTimeout(() => {
      this.#keepAlive = undefined;
      if (this.#closed || this.#subscribers.size === 0) return;
      for (const s of this.#subscribers) s.out.write(KEEP_ALIVE);
      this.#scheduleKeepAlive();
    }, KEEP_ALIVE_MS);
  }
}
