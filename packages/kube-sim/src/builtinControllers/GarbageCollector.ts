import type { KubeObject, UserInfo } from '../types';
import { KeyedWorkQueue } from '../server/KeyedWorkQueue';
import type { Apiserver, WriteContext } from '../server/Apiserver';
import { ResourceType, refOf } from '../server/ResourceType';
import { StatusError } from '../server/StatusError';

const GC_USER: UserInfo = {
  username: 'system:serviceaccount:kube-system:generic-garbage-collector',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

interface Dependent {
  type: ResourceType;
  object: KubeObject;
}

/**
 * kube's garbage collector, in miniature: deletes dependents whose owners are gone (matched by
 * uid), orphans dependents for the `orphan` finalizer, and holds a `foregroundDeletion` owner
 * until its blocking dependents are gone. Runs asynchronously, like the real controller.
 */
export class GarbageCollector {
  private readonly ctx: WriteContext = { user: GC_USER, fieldManager: 'generic-garbage-collector' };
  private readonly work = new KeyedWorkQueue();

  constructor(private readonly api: Apiserver) {
    api.onCommit((type, object, prev) => this.observe(type, object, prev));
  }

  /** Whether work is queued or running. */
  get busy(): boolean {
    return this.work.busy;
  }

  /** Resolves when the current work is done. */
  settle(): Promise<void> {
    return this.work.settle();
  }

  private observe(type: string, object: KubeObject, prev: KubeObject | undefined): void {
    const uid = object.metadata.uid!;
    if (type === 'DELETED') {
      this.work.enqueue(`dependents/${uid}`, () => this.collectDependents(object));
    } else if (object.metadata.deletionTimestamp) {
      const finalizers = object.metadata.finalizers ?? [];
      if (finalizers.includes('orphan')) this.work.enqueue(`orphan/${uid}`, () => this.orphan(uid));
      if (finalizers.includes('foregroundDeletion')) this.work.enqueue(`foreground/${uid}`, () => this.foreground(uid));
    }
    // An object written with a reference to an owner that is already gone (a controller acting
    // on a stale cache) is collected too, as kube's graph builder does for absent owners.
    if (type !== 'DELETED' && object.metadata.ownerReferences?.some(r => !this.api.store.findByUid(r.uid))) {
      const kind = this.typeOf(object);
      if (kind) this.work.enqueue(`release/${uid}`, () => this.releaseDependent(kind, uid));
    }
    // A dependent going away may release an owner that waits in foreground deletion.
    const refs = [...(object.metadata.ownerReferences ?? []), ...(prev?.metadata.ownerReferences ?? [])];
    for (const ref of refs) {
      const owner = this.api.store.findByUid(ref.uid);
      if (owner?.metadata.finalizers?.includes('foregroundDeletion')) {
        this.work.enqueue(`foreground/${ref.uid}`, () => this.foreground(ref.uid));
      }
    }
  }

  private dependentsOf(owner: KubeObject): Dependent[] {
    const uid = owner.metadata.uid;
    const namespace = owner.metadata.namespace;
    const out: Dependent[] = [];
    for (const type of this.api.registry.all()) {
      if (!type.namespaced && namespace) continue;
      const store = this.api.store.resource(type.group, type.plural);
      for (const object of store.objects.values()) {
        if (namespace && object.metadata.namespace !== namespace) continue;
        if (object.metadata.ownerReferences?.some(r => r.uid === uid)) out.push({ type, object });
      }
    }
    return out;
  }

  private typeOf(object: KubeObject): ResourceType | undefined {
    return this.api.registry.byKind(object.apiVersion, object.kind)?.type;
  }

  /** Each dependent is its own work item, as in kube's GC: one failing must not strand the rest. */
  private async collectDependents(owner: KubeObject): Promise<void> {
    for (const { type, object } of this.dependentsOf(owner)) {
      const uid = object.metadata.uid!;
      this.work.enqueue(`release/${uid}`, () => this.releaseDependent(type, uid));
    }
  }

  /**
   * Drops a dependent's references to owners that are gone, or deletes it when none is left.
   * Re-reads and retries on a write conflict: nothing else would bring this work back, since
   * the owner's deletion was its only trigger.
   */
  private async releaseDependent(type: ResourceType, uid: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const object = this.api.store.findByUid(uid);
      if (!object) return;
      const refs = object.metadata.ownerReferences ?? [];
      const remaining = refs.filter(r => this.api.store.findByUid(r.uid));
      if (remaining.length === refs.length) return;
      const ref = refOf(type, object.metadata.namespace);
      try {
        if (remaining.length) {
          await this.api.patch(ref, object.metadata.name!, { type: 'json', body: [
            { op: 'test', path: '/metadata/resourceVersion', value: object.metadata.resourceVersion },
            { op: 'replace', path: '/metadata/ownerReferences', value: remaining },
          ] }, this.ctx);
        } else if (!object.metadata.deletionTimestamp) {
          await this.api.delete(ref, object.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid } }, this.ctx);
        }
        return;
      } catch (e) {
        if (!(e instanceof StatusError) || e.code === 404 || attempt >= 10) throw e;
      }
    }
  }

  private async removeFinalizer(uid: string, finalizer: string): Promise<void> {
    const owner = this.api.store.findByUid(uid);
    const type = owner && this.typeOf(owner);
    if (!owner || !type || !owner.metadata.finalizers?.includes(finalizer)) return;
    await this.api.patch(refOf(type, owner.metadata.namespace), owner.metadata.name!, { type: 'json', body: [
      { op: 'test', path: '/metadata/resourceVersion', value: owner.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/finalizers', value: owner.metadata.finalizers.filter(f => f !== finalizer) },
    ] }, this.ctx);
  }

  private async orphan(uid: string): Promise<void> {
    const owner = this.api.store.findByUid(uid);
    if (!owner) return;
    for (const { type, object } of this.dependentsOf(owner)) {
      await this.api.patch(refOf(type, object.metadata.namespace), object.metadata.name!, { type: 'json', body: [
        { op: 'test', path: '/metadata/resourceVersion', value: object.metadata.resourceVersion },
        { op: 'replace', path: '/metadata/ownerReferences', value: object.metadata.ownerReferences!.filter(r => r.uid !== uid) },
      ] }, this.ctx);
    }
    await this.removeFinalizer(uid, 'orphan');
  }

  private async foreground(uid: string): Promise<void> {
    const owner = this.api.store.findByUid(uid);
    if (!owner?.metadata.deletionTimestamp) return;
    let blocking = 0;
    for (const { type, object } of this.dependentsOf(owner)) {
      if (object.metadata.ownerReferences?.some(r => r.uid === uid && r.blockOwnerDeletion)) blocking++;
      if (!object.metadata.deletionTimestamp) {
        await this.api.delete(refOf(type, object.metadata.namespace), object.metadata.name!, { propagationPolicy: 'Foreground' }, this.ctx);
      }
    }
    if (blocking === 0) await this.removeFinalizer(uid, 'foregroundDeletion');
  }
}
