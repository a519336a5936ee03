/**
 * Keys grouped by the value of one field (cluster, app, owner, status, namespace), where each
 * group can also be read as a sorted array.
 *
 * Lists are paged by key order, so every filtered read needs its group sorted. Sorting per
 * request made a page cost O(n log n) in the size of the group; here the sorted array is built
 * on the first read after the group's membership changed and reused until it changes again.
 * Updates that leave an object in the same group (most watch events) keep the cached order.
 */
export class SortedKeyIndex {
  private readonly groups = new Map<string, { keys: Set<string>; sorted?: string[] }>();

  /** Puts `key` in the group of `value`; no change when it is there already. */
  add(value: string | undefined, key: string): void {
    if (value === undefined) return;
    let group = this.groups.get(value);
    if (!group) this.groups.set(value, (group = { keys: new Set() }));
    if (group.keys.has(key)) return;
    group.keys.add(key);
    group.sorted = undefined;
  }

  /** Takes `key` out of the group of `value`; a group left empty is dropped. */
  delete(value: string | undefined, key: string): void {
    if (value === undefined) return;
    const group = this.groups.get(value);
    if (!group || !group.keys.delete(key)) return;
    if (group.keys.size === 0) this.groups.delete(value);
    else group.sorted = undefined;
  }

  /** Moves `key` from the group of `from` to that of `to`; nothing happens when they are equal. */
  move(from: string | undefined, to: string | undefined, key: string): void {
    if (from === to) return;
    this.delete(from, key);
    this.add(to, key);
  }

  /** The keys of the group of `value`, in no particular order (do not modify). */
  get(value: string): ReadonlySet<string> | undefined {
    return this.groups.get(value)?.keys;
  }

  /** The keys of the group of `value` in code-unit order (as `Array.prototype.sort`), or undefined. */
  sorted(value: string): readonly string[] | undefined {
    const group = this.groups.get(value);
    if (!group) return undefined;
    group.sorted ??= [...group.keys].sort();
    return group.sorted;
  }
}
