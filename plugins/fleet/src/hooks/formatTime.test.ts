import { formatAge, formatDuration, operationDuration } from './formatTime';

describe('formatDuration', () => {
  it.each([
    { ms: 300, want: '< 1 s' },
    { ms: 39_000, want: '39 s' },
    { ms: 125_000, want: '2 min 5 s' },
    { ms: 3_600_000 + 3 * 60_000 + 7000, want: '1 h 3 min' },
    { ms: 3_600_000 + 7000, want: '1 h' },
    { ms: 2 * 86_400_000 + 5 * 3_600_000, want: '2 d 5 h' },
  ])('$ms ms is $want', ({ ms, want }) => {
    expect(formatDuration(ms)).toBe(want);
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-12-04T11:00:00Z');
  it.each([
    { at: '2026-12-04T10:55:00Z', want: '5 min ago' },
    { at: '2026-12-04T11:00:00Z', want: 'just now' },
    { at: undefined, want: '—' },
    { at: 'not a date', want: '—' },
  ])('$at is $want', ({ at, want }) => {
    expect(formatAge(at, now)).toBe(want);
  });
});

describe('operationDuration', () => {
  const now = Date.parse('2026-12-04T11:00:00Z');
  it('measures a finished operation from start to completion', () => {
    expect(
      operationDuration(
        {
          startedAt: '2026-12-04T02:00:02Z',
          completedAt: '2026-12-04T02:00:41Z',
        },
        now,
      ),
    ).toBe('39 s');
  });
  it('measures a running operation up to now', () => {
    expect(operationDuration({ startedAt: '2026-12-04T10:58:00Z' }, now)).toBe(
      '2 min',
    );
  });
  it('has no duration before it starts', () => {
    expect(operationDuration({}, now)).toBe('—');
  });
});
