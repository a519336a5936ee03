import type { KubeObject, UserInfo } from '../types';
import type { Apiserver, WriteContext } from './Apiserver';
import { refOf } from './ResourceType';
import { StatusError } from './StatusError';

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
    let remaining = 0;
    for (const type of this.api.registry.all()) {
      if (!type.namespaced) continue;
      const store = this.api.store.resource(type.group, type.plural);
      for (const object of [...store.objects.values()]) {
        if (object.metadata.namespace !== name) continue;
        remaining++;
        if (object.metadata.deletionTimestamp) continue;
        try {
          await this.api.delete(refOf(type, name), object.metadata.name!, { propagationPolicy: 'Background' }, this.ctx);
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
    }
    if (remaining > 0) return;
    const ns = this.terminating(name);
    const finalizers = (ns?.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!ns || !finalizers.includes('kubernetes')) return;
    await this.api.update({ group: '', version: 'v1', resource: 'namespaces' }, name, {
      ...ns,
      spec: { ...(ns.spec as object), finalizers: finalizers.filter(f => f !== 'kubernetes') },
    }, this.ctx);
  }
}
