/** The JSON type names kube-openapi reports in `must be of type X: "Y"` messages. */
export type JsonTypeName =
  | 'null'
  | 'boolean'
  | 'string'
  | 'integer'
  | 'number'
  | 'object'
  | 'array';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON type of a decoded value. Whole numbers are integers because the apiserver's JSON
 * decoder turns `1.0` into int64, so `replicas: 1.0` is a valid integer.
 */
export function jsonTypeOf(v: unknown): JsonTypeName {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    default:
      return 'object';
  }
}

/** A string equal for deeply equal JSON values (object key order does not matter). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys
      .map(k => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function deepCopyJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  return structuredClone(v);
}
