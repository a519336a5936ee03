import { nextCronTime } from './nextCronTime';

describe('nextCronTime', () => {
  it.each([
    ['*/15 * * * *', '2024-05-01T10:07:30Z', '2024-05-01T10:15:00.000Z'],
    ['30 2 * * *', '2024-05-01T10:07:00Z', '2024-05-02T02:30:00.000Z'],
    ['@weekly', '2024-05-01T10:07:00Z', '2024-05-05T00:00:00.000Z'],
  ])('computes the next run of %s after %s', (schedule, after, want) => {
    expect(nextCronTime(schedule, new Date(after)).toISOString()).toBe(want);
  });

  it('rejects a schedule that is not five fields', () => {
    expect(() => nextCronTime('every hour', new Date())).toThrow('invalid cron schedule');
  });
});
