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

describe('SseParser, chunked streams of the fleet API', () => {
  it.each([
    {
      name: 'a fleet event',
      chunks: ['id: 3\nevent: fleet\ndata: {"id":3}\n\n'],
      want: [{ id: '3', event: 'fleet', data: '{"id":3}' }],
    },
    {
      name: 'a heartbeat comment, which is no message',
      chunks: [': heartbeat\n\n'],
      want: [],
    },
    {
      name: 'multi-line data joined with LF, no event name',
      chunks: ['data: a\ndata: b\n\n'],
      want: [{ id: undefined, event: 'message', data: 'a\nb' }],
    },
    {
      name: 'CRLF split between chunks',
      chunks: ['event: resync\r', '\ndata: {}\r\n\r', '\n'],
      want: [{ id: undefined, event: 'resync', data: '{}' }],
    },
    {
      name: 'CR-only line ends and a field without a space',
      chunks: ['id:9\revent:fleet\rdata:x\r\r'],
      want: [{ id: '9', event: 'fleet', data: 'x' }],
    },
    {
      name: 'a line split in the middle, then two messages in one chunk',
      chunks: ['id: 1\nda', 'ta: one\n\nid: 2\ndata: two\n\n'],
      want: [
        { id: '1', event: 'message', data: 'one' },
        { id: '2', event: 'message', data: 'two' },
      ],
    },
    {
      name: 'an unfinished message',
      chunks: ['id: 1\ndata: one\n'],
      want: [],
    },
  ])('parses $name', ({ chunks, want }) => {
    const parser = new SseParser();
    expect(chunks.flatMap(chunk => parser.push(chunk))).toEqual(want);
  });
});
