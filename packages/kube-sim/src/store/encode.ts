import type { KubeObject } from '../types';

// Stored objects are immutable, so their JSON can be computed once and shared by lists and watches.
const encoded = new WeakMap<object, string>();

/** The JSON text of a stored object, cached for the object's lifetime. */
export function encodeObject(object: KubeObject): string {
  let json = encoded.get(object);
  if (json === undefined) {
    json = JSON.stringify(object);
    encoded.set(object, json);
  }
  return json;
}
