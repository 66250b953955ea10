// A server-sent events parser for Pekko Management's GET /cluster/domain-events (docs/status.md, "Event streams"):
// lines of `field:value`, an event ending at a blank line. Pekko sends `data:<json>` then `event:<Type>` per member
// event, and `data:` alone as a keep-alive every 10 s. Only what that stream needs: `data` and `event`; `id`,
// `retry` and comments (`:...`) are skipped. Pure: bytes in (as text), events out; a line longer than the limit is
// an error, so a hostile or broken peer cannot grow the buffer without bound.

export interface SseEvent {
  /** The `event:` field, '' when none was given. */
  type: string;
  /** The `data:` lines joined with '\n'; '' for a keep-alive. */
  data: string;
}

export class SseError extends Error {
  readonly code = 'LineTooLong';
}

export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  /** The size of the event being assembled, across its lines. */
  private eventSize = 0;

  private readonly maxLine: number;

  /** `maxLine`: the longest line accepted, and the largest event (characters). */
  constructor(maxLine: number) {
    this.maxLine = maxLine;
  }

  /** Parses a chunk of the stream; returns the events it completed. Throws SseError past the size limit. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = this.lineEnd(start);
      if (end < 0) break;
      const line = this.buffer.slice(start, end);
      start = end + (this.buffer[end] === '\r' && this.buffer[end + 1] === '\n' ? 2 : 1);
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.maxLine) throw new SseError(`a line longer than ${this.maxLine} characters`);
    return events;
  }

  /** The index of the next line break (\n, \r\n or \r) from `from`; -1 when the line is not complete yet. */
  private lineEnd(from: number): number {
    for (let i = from; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c === '\n') return i;
      // A lone \r ends a line too, but at the end of the chunk it may be the first half of \r\n: wait for more.
      if (c === '\r') return i + 1 < this.buffer.length ? i : -1;
    }
    return -1;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0 && this.type === '') return undefined;
      const event = { type: this.type, data: this.data.join('\n') };
      this.type = '';
      this.data = [];
      this.eventSize = 0;
      return event;
    }
    this.eventSize += line.length;
    if (this.eventSize > this.maxLine) throw new SseError(`an event larger than ${this.maxLine} characters`);
    const colon = line.indexOf(':');
    if (colon === 0) return undefined; // a comment
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    return undefined;
  }
}
