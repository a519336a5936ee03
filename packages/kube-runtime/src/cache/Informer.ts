import { Reflector, ReflectorOptions } from './Reflector';
import { Store, StoreListener } from './Store';
import { KubeObject } from '../client/types';

/** @public */
export type InformerOptions<T extends KubeObject> = Omit<ReflectorOptions<T>, 'store'> & {
  /** Deep-freeze cached objects. Default true. */
  freeze?: boolean;
};

/**
 * One kind's shared cache: a {@link Store} kept current by a {@link Reflector}.
 * Several controllers share one informer per kind (one list+watch, one copy of each object).
 *
 * @public
 */
export class Informer<T extends KubeObject = KubeObject> {
  readonly store: Store<T>;
  readonly reflector: Reflector<T>;
  private running?: Promise<void>;

  constructor(options: InformerOptions<T>) {
    this.store = new Store<T>({ freeze: options.freeze });
    this.reflector = new Reflector<T>({ ...options, store: this.store });
  }

  /** Starts list+watch once; later calls return the same promise. */
  run(signal: AbortSignal): Promise<void> {
    this.running ??= this.reflector.run(signal);
    return this.running;
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  hasSynced(): boolean {
    return this.reflector.hasSynced();
  }

  waitForSync(): Promise<void> {
    return this.reflector.waitForSync();
  }

  /**
   * Subscribes to changes. With `replay`, every object already cached is first delivered as
   * an add, so a late subscriber sees the same world as an early one.
   */
  addEventHandler(listener: StoreListener<T>, options: { replay?: boolean } = {}): () => void {
    const unsubscribe = this.store.subscribe(listener);
    if (options.replay && listener.onAdd) for (const obj of this.store.list()) listener.onAdd(obj);
    return unsubscribe;
  }
}
