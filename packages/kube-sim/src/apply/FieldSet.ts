/**
 * A set of field paths stored as a trie. Each edge is one path element in its FieldsV1 spelling
 * (`f:name`, `k:{"name":"x"}`, `v:"a"`, `i:0`), so converting to and from the wire format needs no
 * re-encoding, and set operations walk two tries in step instead of comparing whole paths.
 *
 * `member` marks the path that ends at this node as part of the set (the `.` entry of FieldsV1);
 * a node without `member` only exists because some longer path runs through it.
 *
 * Instances are treated as immutable once built: the operations return new tries and share
 * untouched subtrees with their inputs.
 * @public
 */
export class FieldSet {
  member = false;
  children: Map<string, FieldSet> | undefined;

  static fromPaths(paths: readonly (readonly string[])[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  isEmpty(): boolean {
    return (
      !this.member && (this.children === undefined || this.children.size === 0)
    );
  }

  child(key: string): FieldSet | undefined {
    return this.children?.get(key);
  }

  /** Returns the child for `key`, creating it; only for tries still being built. */
  ensureChild(key: string): FieldSet {
    if (!this.children) this.children = new Map();
    let c = this.children.get(key);
    if (!c) {
      c = new FieldSet();
      this.children.set(key, c);
    }
    return c;
  }

  /** Adds a path; only for tries still being built. */
  insert(path: readonly string[]): void {
    if (path.length === 0) {
      this.member = true;
      return;
    }
    let node = this.ensureChild(path[0]);
    for (let i = 1; i < path.length; i++) node = node.ensureChild(path[i]);
    node.member = true;
  }

  has(path: readonly string[]): boolean {
    if (path.length === 0) return this.member;
    let node = this.children?.get(path[0]);
    for (let i = 1; node && i < path.length; i++)
      node = node.children?.get(path[i]);
    return node?.member ?? false;
  }

  /** Every member path, children visited in insertion order. */
  paths(): string[][] {
    const out: string[][] = [];
    const walk = (node: FieldSet, prefix: string[]) => {
      if (node.member) out.push(prefix.slice());
      if (!node.children) return;
      for (const [key, child] of node.children) {
        prefix.push(key);
        walk(child, prefix);
        prefix.pop();
      }
    };
    walk(this, []);
    return out;
  }

  size(): number {
    let n = this.member ? 1 : 0;
    if (this.children) for (const c of this.children.values()) n += c.size();
    return n;
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const out = new FieldSet();
    out.member = this.member || other.member;
    if (!this.children) out.children = other.children;
    else if (!other.children) out.children = this.children;
    else {
      out.children = new Map(this.children);
      for (const [key, oc] of other.children) {
        const tc = out.children.get(key);
        out.children.set(key, tc ? tc.union(oc) : oc);
      }
    }
    return out;
  }

  /** Members of this set that are not members of `other` (membership-wise, not subtree-wise). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    let changed = this.member && other.member;
    let children = this.children;
    if (this.children && other.children) {
      for (const [key, oc] of other.children) {
        const tc = this.children.get(key);
        if (!tc) continue;
        const d = tc.difference(oc);
        if (d === tc) continue;
        if (children === this.children) children = new Map(this.children);
        if (d.isEmpty()) children!.delete(key);
        else children!.set(key, d);
        changed = true;
      }
    }
    if (!changed) return this;
    const out = new FieldSet();
    out.member = this.member && !other.member;
    out.children = children && children.size > 0 ? children : undefined;
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    if (this.children && other.children) {
      const [small, large] =
        this.children.size <= other.children.size
          ? [this.children, other.children]
          : [other.children, this.children];
      for (const [key, sc] of small) {
        const lc = large.get(key);
        if (!lc) continue;
        const i = sc.intersection(lc);
        if (!i.isEmpty()) {
          if (!out.children) out.children = new Map();
          out.children.set(key, i);
        }
      }
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.member !== other.member) return false;
    const a = this.children?.size ?? 0;
    const b = other.children?.size ?? 0;
    if (a !== b) return false;
    if (a === 0) return true;
    for (const [key, tc] of this.children!) {
      const oc = other.children!.get(key);
      if (!oc || !tc.equals(oc)) return false;
    }
    return true;
  }
}
