/** One message of a Server-Sent Events stream. @public */
export interface SseMessage {
  /** The stream's last event id when the message was dispatched (sticky, as in browsers). */
  id?: string;
  /** `message` when the stream did not name one. */
  event: string;
  data: string;
}

/**
 * Incremental parser of the `text/event-stream` format (WHATWG HTML, "Server-sent events"):
 * feed it decoded chunks as they arrive, get the complete messages back. Chunks may split
 * lines and messages anywhere. Comments (heartbeats) are dropped.
 * @public
 */
export class SseParser {
  private buffer = '';
  private lastEventId: string | undefined;
  private eventType = '';
  private dataLines: string[] = [];
  private pendingCarriageReturn = false;

  push(chunk: string): SseMessage[] {
    let text = chunk;
    // A CRLF may be split across two chunks: drop the LF that completes a CR already seen.
    if (this.pendingCarriageReturn && text.startsWith('\n'))
      text = text.slice(1);
    this.pendingCarriageReturn = text.endsWith('\r');
    this.buffer += text;

    const messages: SseMessage[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const message = this.processLine(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  private processLine(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      default:
        // `retry` and unknown fields: the caller owns reconnection timing.
        break;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const hasData = this.dataLines.length > 0;
    const message: SseMessage = {
      id: this.lastEventId,
      event: this.eventType || 'message',
      data: this.dataLines.join('\n'),
    };
    this.eventType = '';
    this.dataLines = [];
    return hasData ? message : undefined;
  }
}
