import { gunzipSync } from 'node:zlib';
import { SerializedAnswerCache } from './SerializedAnswerCache';

const pageOf = (size: number, label = 'x') => ({ items: [label.repeat(size)] });

describe('SerializedAnswerCache', () => {
  it('makes an answer once per revision, and again when the revision moves', async () => {
    const cache = new SerializedAnswerCache();
    let made = 0;
    const produce = async () => {
      made++;
      return { items: [made] };
    };
    const first = await cache.get('q', 1, produce);
    const again = await cache.get('q', 1, produce);
    expect(again).toBe(first);
    expect(made).toBe(1);
    expect(JSON.parse(first.json.toString())).toEqual({ items: [1] });

    const moved = await cache.get('q', 2, produce);
    expect(made).toBe(2);
    expect(JSON.parse(moved.json.toString())).toEqual({ items: [2] });
    expect(moved.etag).not.toBe(first.etag);
  });

  it('gives equal answers equal validators, whatever revision made them', async () => {
    const cache = new SerializedAnswerCache();
    const a = await cache.get('q', 1, async () => ({ items: ['same'] }));
    const b = await cache.get('q', 2, async () => ({ items: ['same'] }));
    expect(b).not.toBe(a);
    expect(b.etag).toBe(a.etag);
  });

  it('compresses an answer once and keeps the compressed form with it', async () => {
    const cache = new SerializedAnswerCache();
    const answer = await cache.get('q', 1, async () => pageOf(5000));
    const gzip = cache.gzipOf(answer);
    expect(cache.gzipOf(answer)).toBe(gzip);
    expect(gunzipSync(gzip).equals(answer.json)).toBe(true);
    expect(cache.size().bytes).toBe(answer.json.length + gzip.length);
  });

  it('does not keep a failed answer', async () => {
    const cache = new SerializedAnswerCache();
    await expect(
      cache.get('q', 1, async () => {
        throw new Error('Invalid query: cursor: not a cursor of this list');
      }),
    ).rejects.toThrow(/cursor/);
    expect(cache.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('holds at most its bytes, letting the least recently used answers go first', async () => {
    const cache = new SerializedAnswerCache({ maxBytes: 3000 });
    let made = 0;
    const produce = (label: string) => async () => {
      made++;
      return pageOf(900, label);
    };
    await cache.get('a', 1, produce('a'));
    await cache.get('b', 1, produce('b'));
    await cache.get('c', 1, produce('c'));
    await cache.get('a', 1, produce('a')); // a is now the most recently used
    await cache.get('d', 1, produce('d')); // over the limit: b goes
    expect(made).toBe(4);
    expect(cache.size().entries).toBe(3);
    expect(cache.size().bytes).toBeLessThanOrEqual(3000);
    await cache.get('a', 1, produce('a'));
    expect(made).toBe(4);
    await cache.get('b', 1, produce('b'));
    expect(made).toBe(5);
  });

  it('keeps one answer larger than its limit, so that it is not made twice in a row', async () => {
    const cache = new SerializedAnswerCache({ maxBytes: 100 });
    const answer = await cache.get('big', 1, async () => pageOf(1000));
    expect(await cache.get('big', 1, async () => pageOf(1))).toBe(answer);
    expect(cache.size().entries).toBe(1);
  });
});
