import { KubeObject, objectKey } from '../client/types';

/**
 * Computes the index values of an object (an object may have several, or none).
 *
 * @public
 */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** Receives the changes a store goes through. @public */
export interface StoreListener<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** `obj` is the last state the store knew; for deletes synthesised on relist it may be stale. */
  onDelete?(obj: T): void;
}

/** @public */
export interface StoreOptions<T> {
  /**
   * Deep-freezes objects as they enter the store (default true), so a reconciler that mutates a
   * cached object fails loudly instead of silently corrupting every other reader's view.
   */
  freeze?: boolean;
  /** Computes the key of an object. Default `namespace/name`. */
  keyFunc?: (obj: T) => string;
}

interface Index<T> {
  fn: IndexFunc<T>;
  byValue: Map<string, Set<string>>;
}

/**
 * An in-memory cache of one kind, keyed by `namespace/name`, with named secondary indexes.
 *
 * Objects handed out are the stored objects themselves, never copies (that is what keeps 10,000
 * cached objects cheap): **treat them as read-only**; by default they are frozen. To change one,
 * build a new object (spread, or structuredClone) and send that to the API server.
 *
 * @public
 */
export class Store<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();
  private readonly listeners: StoreListener<T>[] = [];
  private readonly freeze: boolean;
  private readonly keyFunc: (obj: T) => string;

  constructor(options: StoreOptions<T> = {}) {
    this.freeze = options.freeze ?? true;
    this.keyFunc = options.keyFunc ?? objectKey;
  }

  /** Registers a listener; returns a function that unregisters it. */
  subscribe(listener: StoreListener<T>): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Adds a named index. Adding one to a populated store indexes what is already there.
   * Throws if the name is taken, since two meanings for one name would be a silent bug.
   */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) throw new Error(`index "${name}" already exists`);
    const index: Index<T> = { fn, byValue: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) this.indexAdd(index, key, obj);
  }

  /** Whether index `name` was added. */
  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indexOrThrow(name).byValue.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Keys whose index `name` contains `value`. */
  /** Whether the object at `key` is indexed under `value`, in O(1). */
  inIndex(name: string, value: string, key: string): boolean {
    return this.indexOrThrow(name).byValue.get(value)?.has(key) ?? false;
  }

  /** How many objects `value` indexes, in O(1). */
  indexSize(name: string, value: string): number {
    return this.indexOrThrow(name).byValue.get(value)?.size ?? 0;
  }

  indexKeys(name: string, value: string): string[] {
    return [...(this.indexOrThrow(name).byValue.get(value) ?? [])];
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Gets by name, and namespace for namespaced kinds. */
  getByName(name: string, namespace?: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Inserts or replaces one object and notifies listeners. */
  upsert(obj: T): void {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    if (this.freeze) deepFreeze(obj);
    this.items.set(key, obj);
    this.reindex(key, old, obj);
    if (old) this.emitUpdate(old, obj);
    else this.emitAdd(obj);
  }

  /** Removes one object (by the object or its key) and notifies listeners with the last known state. */
  remove(objOrKey: T | string): void {
    const key = typeof objOrKey === 'string' ? objOrKey : this.keyFunc(objOrKey);
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    this.reindex(key, old, undefined);
    // The watch's DELETED object is the final state; prefer it over the cached one.
    this.emitDelete(typeof objOrKey === 'string' ? old : objOrKey);
  }

  /**
   * Replaces the whole content (after a relist): objects not in `objs` are deleted with a
   * synthesised delete event; objects whose resourceVersion did not change are kept as they are
   * and produce no event, so a relist of an unchanged cluster does not wake any controller.
   */
  replace(objs: readonly T[]): { added: number; updated: number; deleted: number } {
    const seen = new Set<string>();
    let added = 0;
    let updated = 0;
    let deleted = 0;
    for (const obj of objs) {
      const key = this.keyFunc(obj);
      seen.add(key);
      const old = this.items.get(key);
      if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion && old.metadata?.uid === obj.metadata?.uid)
        continue;
      if (old) updated++;
      else added++;
      this.upsert(obj);
    }
    for (const key of [...this.items.keys()]) {
      if (!seen.has(key)) {
        deleted++;
        this.remove(key);
      }
    }
    return { added, updated, deleted };
  }

  private indexOrThrow(name: string): Index<T> {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index "${name}"`);
    return index;
  }

  private reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const index of this.indexes.values()) {
      if (old) {
        for (const value of index.fn(old)) {
          const keys = index.byValue.get(value);
          if (!keys) continue;
          keys.delete(key);
          if (keys.size === 0) index.byValue.delete(value);
        }
      }
      if (obj) this.indexAdd(index, key, obj);
    }
  }

  private indexAdd(index: Index<T>, key: string, obj: T): void {
    for (const value of index.fn(obj)) {
      let keys = index.byValue.get(value);
      if (!keys) index.byValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private emitAdd(obj: T): void {
    for (const l of this.listeners) l.onAdd?.(obj);
  }

  private emitUpdate(old: T, obj: T): void {
    for (const l of this.listeners) l.onUpdate?.(old, obj);
  }

  private emitDelete(obj: T): void {
    for (const l of this.listeners) l.onDelete?.(obj);
  }
}

/** Freezes an object graph in place. @public */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

/** An index of namespaced objects by namespace. @public */
export const namespaceIndex: IndexFunc<KubeObject> = obj =>
  obj.metadata?.namespace ? [obj.metadata.namespace] : [];

/**
 * An index by controlling owner, as `group/Kind/namespace/name`: what `Owns` needs to find
 * the children of an owner.
 *
 * @public
 */
export const controllerOwnerIndex: IndexFunc<KubeObject> = obj => {
  const ref = obj.metadata?.ownerReferences?.find(r => r.controller);
  if (!ref) return [];
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return [`${group}/${ref.kind}/${obj.metadata?.namespace ?? ''}/${ref.name}`];
};
