import http from 'node:http';

/** One parsed Server-Sent Event. */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A raw SSE reader over a real HTTP connection, so that streaming and heartbeats are seen as a browser sees them. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  status?: number;
  contentType?: string;
  private buffer = '';
  private request?: http.ClientRequest;
  private response?: http.IncomingMessage;
  ended = false;

  static open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      client.request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, res => {
        client.response = res;
        client.status = res.statusCode;
        client.contentType = res.headers['content-type'];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => client.feed(chunk));
        res.on('end', () => {
          client.ended = true;
        });
        res.on('error', () => {
          client.ended = true;
        });
        resolve(client);
      });
      client.request.on('error', reject);
    });
  }

  /** Body text of a non-stream answer (an error). */
  get text(): string {
    return this.buffer;
  }

  private feed(chunk: string) {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
        }
      }
      this.messages.push(message);
    }
  }

  /** Fleet events received so far, parsed. */
  events(): Array<{ id: number; kind: string; action: string; [k: string]: unknown }> {
    return this.messages.filter(m => m.event === 'fleet' && m.data).map(m => JSON.parse(m.data!));
  }

  close(): void {
    this.response?.destroy();
    this.request?.destroy();
  }
}
