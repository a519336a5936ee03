import { SseParser } from './sseParser';

describe('SseParser', () => {
  it.each([
    {
      name: 'a named event with an id',
      chunks: ['id: 3\nevent: fleet\ndata: {"a":1}\n\n'],
      want: [{ id: '3', event: 'fleet', data: '{"a":1}' }],
    },
    {
      name: 'an unnamed event is a "message"',
      chunks: ['data: x\n\n'],
      want: [{ id: undefined, event: 'message', data: 'x' }],
    },
    {
      name: 'multi-line data joined with newlines',
      chunks: ['data: a\ndata: b\n\n'],
      want: [{ id: undefined, event: 'message', data: 'a\nb' }],
    },
    {
      name: 'heartbeat comments are dropped',
      chunks: [': heartbeat\n\n: heartbeat\n\n'],
      want: [],
    },
    {
      name: 'an event split across chunks, CRLF split too',
      chunks: ['id: 9\r', '\nevent: res', 'ync\r\ndata: {}\r\n', '\r\n'],
      want: [{ id: '9', event: 'resync', data: '{}' }],
    },
    {
      name: 'the id sticks to later events, as in browsers',
      chunks: ['id: 5\ndata: a\n\ndata: b\n\n'],
      want: [
        { id: '5', event: 'message', data: 'a' },
        { id: '5', event: 'message', data: 'b' },
      ],
    },
    {
      name: 'an incomplete event waits for its blank line',
      chunks: ['id: 1\ndata: a\n'],
      want: [],
    },
    {
      name: 'a field without a colon and without a space after the colon',
      chunks: ['data\nevent:fleet\n\n'],
      want: [{ id: undefined, event: 'fleet', data: '' }],
    },
  ])('$name', ({ chunks, want }) => {
    const parser = new SseParser();
    expect(chunks.flatMap(chunk => parser.push(chunk))).toEqual(want);
  });
});
