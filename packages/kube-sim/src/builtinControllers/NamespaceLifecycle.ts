import type { KubeObject, UserInfo } from '../types';
import type { Apiserver, WriteContext } from '../server/Apiserver';
import { now } from '../server/clock';
import { refOf } from '../server/ResourceType';
import { StatusError } from '../server/StatusError';

const NAMESPACE_CONTROLLER: UserInfo = {
  username: 'system:serviceaccount:kube-system:namespace-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

/**
 * The namespace controller: empties a Terminating namespace, then removes the `kubernetes`
 * finalizer so that the namespace itself goes. Objects held by finalizers keep it Terminating.
 */
export class NamespaceLifecycle {
  private readonly ctx: WriteContext = { user: NAMESPACE_CONTROLLER, fieldManager: 'namespace-controller' };
  private readonly queued = new Set<string>();
  private readonly running = new Set<Promise<void>>();

  /** Whether work is queued or running. */
  get busy(): boolean {
    return this.queued.size > 0 || this.running.size > 0;
  }

  /** Resolves when the current work is done. */
  async settle(): Promise<void> {
    if (this.running.size > 0) await Promise.all(this.running);
    else if (this.queued.size > 0) await new Promise(r => setImmediate(r));
  }

  constructor(private readonly api: Apiserver) {
    api.onCommit((type, object) => {
      if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
        if (type !== 'DELETED' && object.metadata.deletionTimestamp) this.enqueue(object.metadata.name!);
        return;
      }
      const namespace = object.metadata.namespace;
      if (type === 'DELETED' && namespace && this.terminating(namespace)) this.enqueue(namespace);
    });
  }

  private terminating(name: string): KubeObject | undefined {
    const ns = this.api.store.resource('', 'namespaces').get(name);
    return ns?.metadata.deletionTimestamp ? ns : undefined;
  }

  private enqueue(name: string): void {
    if (this.queued.has(name)) return;
    this.queued.add(name);
    setImmediate(() => {
      this.queued.delete(name);
      const work = this.sync(name)
        .catch(e => {
          if (!(e instanceof StatusError)) throw e;
        })
        .finally(() => this.running.delete(work));
      this.running.add(work);
    });
  }

  private async sync(name: string): Promise<void> {
    if (!this.terminating(name)) return;
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const type of this.api.registry.all()) {
      if (!type.namespaced) continue;
      const store = this.api.store.resource(type.group, type.plural);
      for (const object of [...store.objects.values()]) {
        if (object.metadata.namespace !== name) continue;
        const resource = `${type.plural}.${type.group}`;
        remaining.set(resource, (remaining.get(resource) ?? 0) + 1);
        for (const finalizer of object.metadata.finalizers ?? []) finalizers.set(finalizer, (finalizers.get(finalizer) ?? 0) + 1);
        if (object.metadata.deletionTimestamp) continue;
        try {
          await this.api.delete(refOf(type, name), object.metadata.name!, { propagationPolicy: 'Background' }, this.ctx);
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
    }
    if (remaining.size > 0) {
      await this.writeConditions(name, remaining, finalizers);
      return;
    }
    const ns = this.terminating(name);
    const specFinalizers = (ns?.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!ns || !specFinalizers.includes('kubernetes')) return;
    await this.api.update({ group: '', version: 'v1', resource: 'namespaces' }, name, {
      ...ns,
      spec: { ...(ns.spec as object), finalizers: specFinalizers.filter(f => f !== 'kubernetes') },
    }, this.ctx);
  }

  /**
   * The conditions the namespace controller writes while content remains
   * (pkg/controller/namespace/deletion/namespaced_resources_deleter.go and
   * status_condition_utils.go): what is left per resource, and which finalizers hold it.
   */
  private async writeConditions(name: string, remaining: Map<string, number>, finalizers: Map<string, number>): Promise<void> {
    const ns = this.terminating(name);
    if (!ns) return;
    const counted = (counts: Map<string, number>, what: (key: string, n: number) => string) =>
      [...counts.entries()].filter(([, n]) => n > 0).map(([key, n]) => what(key, n)).sort().join(', ');
    const wanted: NamespaceCondition[] = [
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
      { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
      {
        type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain',
        message: `Some resources are remaining: ${counted(remaining, (resource, n) => `${resource} has ${n} resource instances`)}`,
      },
      finalizers.size > 0
        ? {
          type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${counted(finalizers, (finalizer, n) => `${finalizer} in ${n} resource instances`)}`,
        }
        : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ];
    const status = (ns.status ?? {}) as { phase?: string; conditions?: Array<NamespaceCondition & { lastTransitionTime?: string }> };
    const previous = new Map((status.conditions ?? []).map(c => [c.type, c]));
    const time = now();
    const conditions = wanted.map(c => {
      const before = previous.get(c.type);
      const same = before && before.status === c.status && before.reason === c.reason && before.message === c.message;
      return same ? before : { ...c, lastTransitionTime: time };
    });
    if (conditions.every((c, i) => c === (status.conditions ?? [])[i])) return;
    await this.api.update({ group: '', version: 'v1', resource: 'namespaces' }, name, { ...ns, status: { ...status, conditions } }, this.ctx, 'status');
  }
}

interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}
