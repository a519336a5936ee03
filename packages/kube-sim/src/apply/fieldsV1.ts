import { FieldSet } from './FieldSet';

/** The FieldsV1 JSON tree of a managedFields entry. @public */
export type FieldsV1 = { [key: string]: FieldsV1 };

// Decoding the same stored entry on every apply would dominate the cost of an apply; stored
// objects are never mutated in place, so their fieldsV1 trees can be cached by identity.
const decoded = new WeakMap<object, FieldSet>();

// Kube orders a node's children by kind (field names, then keys, then values, then indexes) and
// then by value; the "." member marker comes first.
const kindRank: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function compareKeys(a: string, b: string): number {
  const ra = kindRank[a[0]] ?? 4;
  const rb = kindRank[b[0]] ?? 4;
  if (ra !== rb) return ra - rb;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Encodes a field set in the FieldsV1 format of `metadata.managedFields[].fieldsV1`.
 * @public
 */
export function fieldSetToFieldsV1(set: FieldSet): FieldsV1 {
  const out: FieldsV1 = {};
  if (set.children && set.children.size > 0) {
    if (set.member) out['.'] = {};
    const keys = [...set.children.keys()].sort(compareKeys);
    for (const key of keys)
      out[key] = fieldSetToFieldsV1(set.children.get(key)!);
  }
  decoded.set(out, set);
  return out;
}

function decode(tree: FieldsV1, isRoot: boolean): FieldSet {
  const set = new FieldSet();
  const keys = Object.keys(tree);
  // An empty object below the root is a leaf: the path itself is owned.
  if (keys.length === 0) {
    set.member = !isRoot;
    return set;
  }
  for (const key of keys) {
    if (key === '.') {
      set.member = true;
      continue;
    }
    const sub = tree[key];
    if (!set.children) set.children = new Map();
    set.children.set(
      key,
      decode(sub && typeof sub === 'object' ? sub : {}, false),
    );
  }
  return set;
}

/**
 * Decodes a FieldsV1 tree into a field set.
 * @public
 */
export function fieldsV1ToFieldSet(
  tree: Record<string, unknown> | undefined,
): FieldSet {
  if (!tree || typeof tree !== 'object') return new FieldSet();
  const cached = decoded.get(tree);
  if (cached) return cached;
  const set = decode(tree as FieldsV1, true);
  decoded.set(tree, set);
  return set;
}

/**
 * Spells one path element the way kube-apiserver prints it in conflict messages:
 * `.name`, `[name="x",port=80]`, `[="value"]`, `[3]`.
 */
function pathElementToString(element: string): string {
  const body = element.slice(2);
  switch (element[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const fields = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(fields)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
    case 'v':
      return `[=${body}]`;
    case 'i':
      return `[${body}]`;
    default:
      return element;
  }
}

/**
 * Prints a path (a list of FieldsV1 path elements) like kube does, e.g.
 * `.spec.template.spec.containers[name="app"].image`.
 * @public
 */
export function pathToString(path: readonly string[]): string {
  return path.map(pathElementToString).join('');
}
