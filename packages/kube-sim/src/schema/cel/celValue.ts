import type { CelInput } from '@bufbuild/cel';
import { isPlainObject } from '../jsonValue';
import type { SchemaNode } from '../SchemaNode';

const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import',
  'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/**
 * How a property name is written in a rule (`k8s.io/apiserver/pkg/cel/escaping.go`): CEL's
 * reserved words as `__name__`, and `__`, `.`, `-`, `/` spelled out; undefined when the name
 * cannot be reached from CEL at all.
 */
export function escapePropertyName(name: string): string | undefined {
  if (name.length === 0 || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  let ok = true;
  const escaped = name.replace(/__|[-./]|[^a-zA-Z0-9_]/g, s => {
    switch (s) {
      case '__':
        return '__underscores__';
      case '.':
        return '__dot__';
      case '-':
        return '__dash__';
      case '/':
        return '__slash__';
      default:
        ok = false;
        return '';
    }
  });
  return ok ? escaped : undefined;
}

/**
 * A JSON value as CEL sees it under its schema: objects with properties become maps keyed by the
 * escaped property names, maps keep their keys, `integer` fields are CEL ints (bigint), `number`
 * fields doubles, and untyped (preserved) integers ints.
 */
export function toCel(value: unknown, node: SchemaNode | undefined): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (node?.types?.includes('integer') || (!node?.types && Number.isInteger(value))) return BigInt(Math.trunc(value));
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(item => toCel(item, node?.items));
  if (isPlainObject(value)) {
    const map = new Map<string, CelInput>();
    for (const [key, item] of Object.entries(value)) {
      const property = node?.properties?.get(key);
      if (property) {
        const name = escapePropertyName(key);
        if (name !== undefined) map.set(name, toCel(item, property));
      } else {
        const additional = typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined;
        map.set(key, toCel(item, additional));
      }
    }
    return map;
  }
  return null;
}
