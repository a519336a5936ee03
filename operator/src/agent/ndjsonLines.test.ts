import { ndjsonLines } from './ndjsonLines';

function bodyOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('ndjsonLines', () => {
  it('yields each JSON line, whatever the chunking, and skips what is not JSON', async () => {
    const out: unknown[] = [];
    for await (const value of ndjsonLines(bodyOf(['{"a":', '1}\n\n{"b"', ':2}\nnot json\n{"c":3}\n{"trunc']))) out.push(value);
    expect(out).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });
});
