import type { JSONSchemaProps } from '../schema/types';
import { StatusError, badRequest } from './StatusError';

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch; returns a new value and never mutates its inputs. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** kube answers a JSON patch that cannot be applied with 422 and the reason as a cause. */
function patchFailed(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchFailed(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map(unescapePointer);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ak = Object.keys(a as JsonObject);
  const bo = b as JsonObject;
  return ak.length === Object.keys(bo).length && ak.every(k => k in bo && deepEqual((a as JsonObject)[k], bo[k]));
}

export { deepEqual };

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** A copy of an array or object one level deep; other values as they are. */
function shallowCopy(value: Json): Json {
  if (Array.isArray(value)) return [...value];
  if (isObject(value)) return { ...value };
  return value;
}

/** Copies the containers along `tokens` so that the caller can write at the end of the path. */
function cloneAlong(doc: Json, tokens: string[]): { root: Json; parent: JsonObject | unknown[] } {
  const root = shallowCopy(doc);
  let node: Json = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    let child: Json;
    if (Array.isArray(node)) {
      const idx = Number(t);
      if (!Number.isInteger(idx) || idx < 0 || idx >= node.length) throw patchFailed(`array index out of bounds: ${t}`);
      child = node[idx];
      child = shallowCopy(child);
      node[idx] = child;
    } else if (isObject(node)) {
      if (!(t in node)) throw patchFailed(`missing path segment "${t}"`);
      child = node[t];
      child = shallowCopy(child);
      node[t] = child;
    } else {
      throw patchFailed(`invalid path segment "${t}"`);
    }
    node = child;
  }
  if (!Array.isArray(node) && !isObject(node)) throw patchFailed('path does not point into an object or array');
  return { root, parent: node };
}

function getAt(doc: Json, tokens: string[]): Json {
  let node = doc;
  for (const t of tokens) {
    if (Array.isArray(node)) node = node[Number(t)];
    else if (isObject(node)) node = node[t];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

function removeAt(doc: Json, tokens: string[]): Json {
  if (tokens.length === 0) throw patchFailed('cannot remove the document root');
  const { root, parent } = cloneAlong(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const idx = Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw patchFailed(`Unable to remove nonexistent key: ${last}: missing value`);
    parent.splice(idx, 1);
  } else {
    if (!(last in parent)) throw patchFailed(`Unable to remove nonexistent key: ${last}: missing value`);
    delete parent[last];
  }
  return root;
}

function addAt(doc: Json, tokens: string[], value: unknown, replace: boolean): Json {
  if (tokens.length === 0) return value;
  const { root, parent } = cloneAlong(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (last === '-' && !replace) {
      parent.push(value);
    } else {
      const idx = Number(last);
      const max = replace ? parent.length - 1 : parent.length;
      if (!Number.isInteger(idx) || idx < 0 || idx > max) throw patchFailed(`array index out of bounds: ${last}`);
      if (replace) parent[idx] = value;
      else parent.splice(idx, 0, value);
    }
  } else {
    if (replace && !(last in parent)) throw patchFailed(`replace operation does not apply: doc is missing key: ${tokens.join('/')}: missing value`);
    parent[last] = value;
  }
  return root;
}

/** RFC 6902 JSON patch including `test`. */
export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let current = doc;
  for (const raw of ops as JsonPatchOp[]) {
    const path = parsePointer(raw.path ?? '');
    switch (raw.op) {
      case 'add':
        current = addAt(current, path, raw.value, false);
        break;
      case 'replace':
        current = addAt(current, path, raw.value, true);
        break;
      case 'remove':
        current = removeAt(current, path);
        break;
      case 'move': {
        const from = parsePointer(raw.from ?? '');
        const value = getAt(current, from);
        if (value === undefined) throw patchFailed(`move operation does not apply: doc is missing from path: ${raw.from}`);
        current = addAt(removeAt(current, from), path, value, false);
        break;
      }
      case 'copy': {
        const value = getAt(current, parsePointer(raw.from ?? ''));
        if (value === undefined) throw patchFailed(`copy operation does not apply: doc is missing from path: ${raw.from}`);
        current = addAt(current, path, structuredClone(value), false);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(current, path), raw.value)) {
          throw patchFailed(`testing value ${raw.path} failed: test failed`);
        }
        break;
      default:
        throw patchFailed(`Unexpected kind: ${raw.op}`);
    }
  }
  return current;
}

function childSchema(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (!schema) return undefined;
  return schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
}

/**
 * Strategic merge patch for built-in kinds, driven by the list topology of their schemas:
 * map lists merge by key (`$patch: delete` removes an entry), set lists union, other lists replace.
 */
export function strategicMergePatch(target: Json, patch: Json, schema: JSONSchemaProps | undefined): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return rest;
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const sub = childSchema(schema, key);
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value) && sub?.type === 'array') {
      result[key] = mergeList(result[key], value, sub);
    } else if (isObject(value)) {
      result[key] = strategicMergePatch(result[key], value, sub);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function mergeList(live: unknown, patch: unknown[], schema: JSONSchemaProps): unknown[] {
  const current = Array.isArray(live) ? [...live] : [];
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const v of patch) if (!current.some(c => deepEqual(c, v))) current.push(v);
    return current;
  }
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const sameKey = (a: unknown, b: unknown) =>
      isObject(a) && isObject(b) && keys.every(k => a[k] === b[k] || (k === 'protocol' && (a[k] ?? 'TCP') === (b[k] ?? 'TCP')));
    for (const entry of patch) {
      const idx = current.findIndex(c => sameKey(c, entry));
      if (isObject(entry) && entry.$patch === 'delete') {
        if (idx >= 0) current.splice(idx, 1);
      } else if (idx >= 0) {
        current[idx] = strategicMergePatch(current[idx], entry, schema.items);
      } else {
        current.push(entry);
      }
    }
    return current;
  }
  return patch;
}
