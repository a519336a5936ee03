import type { KubeObject } from '../types';
import { ResourceStore, StoredEvent, WatchEventType, objectKey } from './ResourceStore';

/**
 * All resources of one cluster behind a single resourceVersion counter, as etcd's revision is
 * shared by every key. Also indexes objects by uid for garbage collection.
 */
export class ClusterStore {
  private rv = 0;
  private readonly resources = new Map<string, ResourceStore>();
  private readonly byUid = new Map<string, { resource: ResourceStore; key: string }>();

  constructor(readonly historySize = 1000) {}

  get currentRv(): number {
    return this.rv;
  }

  /** The store of `group/resource`, created on first use. */
  resource(group: string, resource: string): ResourceStore {
    const id = `${group}/${resource}`;
    let store = this.resources.get(id);
    if (!store) {
      store = new ResourceStore(this.historySize);
      this.resources.set(id, store);
    }
    return store;
  }

  /**
   * Marks the revision a resource begins to be served at (a CRD established): its events start
   * after it, so nothing older can be resumed from.
   */
  startServing(group: string, resource: string): void {
    const store = this.resource(group, resource);
    store.compactedRv = Math.max(store.compactedRv, this.rv);
  }

  dropResource(group: string, resource: string): void {
    const store = this.resources.get(`${group}/${resource}`);
    if (!store) return;
    for (const object of store.objects.values()) this.byUid.delete(object.metadata.uid!);
    this.resources.delete(`${group}/${resource}`);
  }

  findByUid(uid: string): KubeObject | undefined {
    const entry = this.byUid.get(uid);
    return entry?.resource.get(entry.key);
  }

  allResources(): IterableIterator<ResourceStore> {
    return this.resources.values();
  }

  /**
   * Commits a change: stamps the next resourceVersion on `object` (a fresh object owned by the
   * store from now on), records it and notifies watchers. Returns the stored object.
   */
  commit(store: ResourceStore, type: WatchEventType, object: KubeObject, prev?: KubeObject): KubeObject {
    this.rv++;
    const stored: KubeObject = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(this.rv) },
    };
    const key = objectKey(stored.metadata.namespace, stored.metadata.name!);
    if (type === 'DELETED') this.byUid.delete(stored.metadata.uid!);
    else this.byUid.set(stored.metadata.uid!, { resource: store, key });
    store.record(new StoredEvent(type, stored, prev, this.rv), key);
    return stored;
  }

  /** Forgets every object and restarts resourceVersions, as a cluster rebuilt from nothing. */
  wipe(): void {
    // Stores are cleared in place so that in-process watchers stay attached to the new cluster.
    for (const store of this.resources.values()) store.clear();
    this.byUid.clear();
    this.rv = 0;
  }
}
