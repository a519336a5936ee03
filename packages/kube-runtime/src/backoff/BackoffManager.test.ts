import { BackoffManager } from './BackoffManager';
import { ManualClock } from '../clock/Clock';

describe('BackoffManager', () => {
  it('doubles the delay per failure up to the ceiling, without jitter', () => {
    const backoff = new BackoffManager({ initialMs: 100, maxMs: 1000, jitter: 0, clock: new ManualClock() });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads delays with jitter but never above the ceiling', () => {
    const backoff = new BackoffManager({ initialMs: 100, maxMs: 500, jitter: 1, random: () => 0.5 });
    expect(backoff.next()).toBe(150);
    expect(backoff.next()).toBe(300);
    expect(backoff.next()).toBe(500);
  });

  it('starts over after reset() and after a quiet period', async () => {
    const clock = new ManualClock();
    const backoff = new BackoffManager({ initialMs: 10, jitter: 0, resetAfterMs: 1000, clock });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(10);
    expect(backoff.next()).toBe(20);
    await clock.advance(5000);
    expect(backoff.next()).toBe(10);
  });

  it('waits at least what the server asked for', async () => {
    const clock = new ManualClock();
    const backoff = new BackoffManager({ initialMs: 10, jitter: 0, clock });
    let done = false;
    void backoff.wait(undefined, 3000).then(() => (done = true));
    await clock.advance(2999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });
});
