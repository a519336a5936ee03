import { ManualClock } from '../clock/Clock';
import { ItemExponentialRateLimiter, MaxOfRateLimiter, BucketRateLimiter, defaultControllerRateLimiter } from './rateLimiters';
import { WorkQueue } from './WorkQueue';

async function drainNow(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.length > 0) {
    const key = (await q.get())!;
    out.push(key);
    q.done(key);
  }
  return out;
}

describe('WorkQueue', () => {
  it('hands out a key queued twice only once, in FIFO order', async () => {
    const q = new WorkQueue({ clock: new ManualClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(await drainNow(q)).toEqual(['a', 'b']);
  });

  it('reprocesses a key re-added while being processed, but only after done()', async () => {
    const q = new WorkQueue({ clock: new ManualClock() });
    q.add('a');
    const key = await q.get();
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0); // not handed to a second worker
    q.done(key!);
    expect(await drainNow(q)).toEqual(['a']);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue({ clock: new ManualClock() });
    const pending = q.get();
    q.add('x');
    await expect(pending).resolves.toBe('x');
  });

  it('addAfter delays the key, and an earlier delay for the same key wins', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 5000);
    q.addAfter('b', 2000);
    await clock.advance(999);
    expect(q.length).toBe(0);
    await clock.advance(1);
    expect(await drainNow(q)).toEqual(['a']);
    await clock.advance(1000);
    expect(await drainNow(q)).toEqual(['b']);
    await clock.advance(10_000);
    expect(q.length).toBe(0);
  });

  it('backs off a failing key exponentially and forget() resets it', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000) });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = clock.now();
      q.addRateLimited('k');
      while (q.length === 0) await clock.advance(1);
      delays.push(clock.now() - before);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(q.numRequeues('k')).toBe(4);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  it('shutdown releases waiting workers, refuses adds, and drain waits for in-flight keys', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    q.add('busy');
    const busy = (await q.get())!;
    const idle = q.get();
    q.addAfter('later', 100);
    let drained = false;
    const drain = q.shutdownAndDrain().then(() => (drained = true));
    await expect(idle).resolves.toBeUndefined();
    q.add('new');
    await clock.advance(1000);
    expect(q.length).toBe(0);
    expect(drained).toBe(false);
    q.done(busy);
    await drain;
    expect(drained).toBe(true);
    await expect(q.get()).resolves.toBeUndefined();
  });
});

describe('rate limiters', () => {
  it('caps the per-key backoff at 1000 s', () => {
    const l = new ItemExponentialRateLimiter();
    let last = 0;
    for (let i = 0; i < 100; i++) last = l.when('k');
    expect(last).toBe(1_000_000);
  });

  it('the default combines per-key backoff with a 10 qps / 100 burst bucket', () => {
    const l = defaultControllerRateLimiter(new ManualClock());
    const delays = Array.from({ length: 101 }, (_, i) => l.when(`key-${i}`));
    expect(delays.slice(0, 100).every(d => d === 5)).toBe(true);
    expect(delays[100]).toBeCloseTo(100);
  });

  it('MaxOf reports the larger requeue count', () => {
    const l = new MaxOfRateLimiter(new ItemExponentialRateLimiter(), new BucketRateLimiter(1, 1, new ManualClock()));
    l.when('a');
    l.when('a');
    expect(l.numRequeues('a')).toBe(2);
  });
});
