import { jsonPatch, mergePatch, strategicMergePatch } from './patches';
import { StatusError } from './StatusError';

describe('patches', () => {
  it('merge patch deletes on null and replaces lists', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({ a: 1, b: { d: 3 }, l: [3] });
  });

  it('JSON patch supports add, replace, remove, move, copy and test without touching the input', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 'y' },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/e', value: 'y' },
    ]);
    expect(out).toEqual({ a: { b: [2, 3] }, c: 'y', e: 'y' });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 'x' });
  });

  it('JSON patch fails a test op with 422', () => {
    const error = (() => {
      try {
        jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(StatusError);
    expect((error as StatusError).code).toBe(422);
  });

  it('strategic merge patch merges map lists by key and honours $patch: delete', () => {
    const schema = {
      type: 'object' as const,
      properties: {
        items: { type: 'array' as const, 'x-kubernetes-list-type': 'map' as const, 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' as const } },
        tags: { type: 'array' as const, 'x-kubernetes-list-type': 'set' as const, items: { type: 'string' as const } },
      },
    };
    const live = { items: [{ name: 'a', v: 1 }, { name: 'b', v: 2 }], tags: ['x'] };
    const out = strategicMergePatch(live, { items: [{ name: 'a', v: 9 }, { name: 'b', $patch: 'delete' }, { name: 'c' }], tags: ['y'] }, schema);
    expect(out).toEqual({ items: [{ name: 'a', v: 9 }, { name: 'c' }], tags: ['x', 'y'] });
  });
});
