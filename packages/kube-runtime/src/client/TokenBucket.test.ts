import { ManualClock } from '../clock/Clock';
import { TokenBucket } from './TokenBucket';

describe('TokenBucket', () => {
  it('grants the burst immediately, then one token per 1/qps seconds', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 3, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBeCloseTo(100);
    expect(bucket.reserve()).toBeCloseTo(200);
    await clock.advance(1000);
    // 10 tokens refilled, 2 owed, capped at burst 3
    expect(bucket.tryTake()).toBe(true);
  });

  it('never saves more than the burst', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1, 2, clock);
    await clock.advance(60_000);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('take() waits for the token and gives it back on abort', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1, 1, clock);
    await bucket.take();
    let got = false;
    const p = bucket.take().then(() => (got = true));
    await clock.advance(999);
    expect(got).toBe(false);
    await clock.advance(1);
    await p;
    expect(got).toBe(true);

    const ac = new AbortController();
    const aborted = bucket.take(ac.signal);
    ac.abort();
    await expect(aborted).rejects.toThrow();
    await clock.advance(1000);
    expect(bucket.tryTake()).toBe(true);
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(/qps=0/);
  });
});
