/**
 * The JSON values of a newline-delimited JSON body, as they arrive. A line that is not JSON is
 * skipped (a proxy's keep-alive, a truncated last line) rather than ending the stream.
 */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (!line) continue;
        try {
          yield JSON.parse(line);
        } catch {
          // not a message: skip it
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}
