import { SortedKeyIndex } from './SortedKeyIndex';

describe('SortedKeyIndex', () => {
  it('reads each group in key order, whatever order keys came in', () => {
    const index = new SortedKeyIndex();
    for (const key of ['c/b', 'a/z', 'b/a', 'a/a']) index.add('nextcloud', key);
    index.add('gitea', 'z/z');
    index.add(undefined, 'ignored');
    expect(index.sorted('nextcloud')).toEqual(['a/a', 'a/z', 'b/a', 'c/b']);
    expect(index.sorted('gitea')).toEqual(['z/z']);
    expect(index.sorted('unknown')).toBeUndefined();
  });

  it('keeps the sorted order right after adds, deletes and moves', () => {
    const index = new SortedKeyIndex();
    index.add('Ready', 'b');
    index.add('Ready', 'd');
    expect(index.sorted('Ready')).toEqual(['b', 'd']);
    index.add('Ready', 'a');
    index.add('Ready', 'c');
    expect(index.sorted('Ready')).toEqual(['a', 'b', 'c', 'd']);
    index.delete('Ready', 'b');
    expect(index.sorted('Ready')).toEqual(['a', 'c', 'd']);
    index.move('Ready', 'Failed', 'c');
    expect(index.sorted('Ready')).toEqual(['a', 'd']);
    expect(index.sorted('Failed')).toEqual(['c']);
    expect([...(index.get('Failed') ?? [])]).toEqual(['c']);
  });

  it('drops a group once its last key leaves', () => {
    const index = new SortedKeyIndex();
    index.add('eu-1', 'x');
    index.move('eu-1', 'us-1', 'x');
    expect(index.get('eu-1')).toBeUndefined();
    expect(index.sorted('eu-1')).toBeUndefined();
    expect(index.sorted('us-1')).toEqual(['x']);
  });

  it('reuses the sorted array while membership stays the same', () => {
    const index = new SortedKeyIndex();
    index.add('eu-1', 'b');
    index.add('eu-1', 'a');
    const first = index.sorted('eu-1');
    // re-adding a member and moving within the same group change nothing
    index.add('eu-1', 'a');
    index.move('eu-1', 'eu-1', 'b');
    expect(index.sorted('eu-1')).toBe(first);
    index.delete('eu-1', 'missing');
    expect(index.sorted('eu-1')).toBe(first);
    index.add('eu-1', 'c');
    expect(index.sorted('eu-1')).not.toBe(first);
    expect(index.sorted('eu-1')).toEqual(['a', 'b', 'c']);
  });
});
