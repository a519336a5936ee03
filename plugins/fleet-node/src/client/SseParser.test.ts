import { SseParser } from './SseParser';

describe('SseParser', () => {
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
