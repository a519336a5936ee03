import type { KubeObject } from '../../types';
import type { ObjectKey } from './SimController';

/**
 * Skips reconciles that only a controller's own status write triggered, as
 * controller-runtime's GenerationChanged / annotation predicates do for the
 * real Flux and Argo CD controllers. A pass runs when the object's intent
 * (what `fingerprint` returns: spec, annotations, finalizers, deletion) changed,
 * or when the key was {@link IntentFilter.force}d: a requeue or a related object's change.
 * @public
 */
export class IntentFilter {
  private readonly handled = new Map<string, string>();
  private readonly forced = new Set<string>();

  constructor(private readonly fingerprint: (object: KubeObject) => unknown) {}

  private static id(key: ObjectKey): string {
    return `${key.namespace ?? ''}/${key.name}`;
  }

  /** The next pass of `key` runs whatever its intent. */
  force(key: ObjectKey): void {
    this.forced.add(IntentFilter.id(key));
  }

  /** Whether this pass should run; records the intent it will handle. */
  admit(key: ObjectKey, object: KubeObject): boolean {
    const id = IntentFilter.id(key);
    const print = JSON.stringify(this.fingerprint(object));
    const forced = this.forced.delete(id);
    if (!forced && this.handled.get(id) === print) return false;
    this.handled.set(id, print);
    return true;
  }

  forget(key: ObjectKey): void {
    const id = IntentFilter.id(key);
    this.handled.delete(id);
    this.forced.delete(id);
  }
}
