/**
 * A field path built while walking an object, formatted the way kube-apiserver formats
 * `field.Path`: `spec.containers[0].name`, map keys as `spec.labels[foo]`.
 *
 * Paths are linked lists so that walking a large object allocates one small record per node
 * and formats a string only when a cause or a pruned field is reported.
 */
export class FieldPath {
  static readonly root = new FieldPath(undefined, '', 'root');

  private constructor(
    readonly parent: FieldPath | undefined,
    readonly segment: string,
    readonly kind: 'root' | 'field' | 'index' | 'key',
  ) {}

  child(name: string): FieldPath {
    return new FieldPath(this, name, 'field');
  }

  index(i: number): FieldPath {
    return new FieldPath(this, String(i), 'index');
  }

  key(k: string): FieldPath {
    return new FieldPath(this, k, 'key');
  }

  isRoot(): boolean {
    return this.kind === 'root';
  }

  toString(): string {
    const parts: FieldPath[] = [];
    let node: FieldPath | undefined = this.kind === 'root' ? undefined : this;
    while (node && node.kind !== 'root') {
      parts.push(node);
      node = node.parent;
    }
    let out = '';
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i];
      if (p.kind === 'field') {
        out = out ? `${out}.${p.segment}` : p.segment;
      } else {
        out = `${out}[${p.segment}]`;
      }
    }
    return out;
  }
}

/** Formats a path given as plain segments, e.g. `['spec', 'labels']` → `spec.labels`. */
export function formatFieldPath(segments: readonly string[]): string {
  return segments.reduce((p, s) => p.child(s), FieldPath.root).toString();
}
