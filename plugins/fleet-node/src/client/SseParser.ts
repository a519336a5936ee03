/**
 * One message of a Server-Sent Events stream. `event` is `message` when the stream names none,
 * as the EventSource specification says.
 */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Incremental parser of a `text/event-stream` body, following the WHATWG EventSource
 * processing model: lines end in CRLF, LF or CR; `:` starts a comment (the fleet's heartbeat);
 * `data` lines of one message are joined with LF; an empty line dispatches the message.
 * Chunks may split lines anywhere, so an incomplete last line is kept for the next chunk.
 */
export class SseParser {
  private buffer = '';
  private pendingCr = false;
  private id: string | undefined;
  private event: string | undefined;
  private data: string[] = [];

  /** Feeds decoded text and returns the messages it completes. */
  push(text: string): SseMessage[] {
    let chunk = text;
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.pendingCr = false;
    this.buffer += chunk;

    const messages: SseMessage[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (
      let match = lineEnd.exec(this.buffer);
      match;
      match = lineEnd.exec(this.buffer)
    ) {
      if (match[0] === '\r' && match.index === this.buffer.length - 1) {
        this.pendingCr = true;
      }
      const message = this.line(this.buffer.slice(start, match.index));
      if (message) messages.push(message);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    return messages;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'id':
        // The specification ignores ids containing NUL.
        if (!value.includes('\0')) this.id = value;
        break;
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      default:
        // `retry` and unknown fields: the client keeps its own backoff.
        break;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const hasContent = this.data.length > 0 || this.event !== undefined;
    const message: SseMessage = {
      id: this.id,
      event: this.event || 'message',
      data: this.data.join('\n'),
    };
    // The specification keeps the id across messages as the stream's last event id; the fleet
    // client keeps that itself, so here an id belongs only to the message that carried it.
    this.id = undefined;
    this.event = undefined;
    this.data = [];
    return hasContent ? message : undefined;
  }
}
