import type { KubeObject, Manager, Store } from '@vworkspace/kube-runtime';
import { operationKinds } from '../engines/kinds';

/** Name of the index of the manager's Operation cache by target instance: `namespace/name`. @public */
export const operationTargetIndex = 'operation.target';

/** The instance an Operation targets, as `namespace/name`. @public */
export function operationTargetKey(op: KubeObject): string | undefined {
  const target = (op.spec as { target?: { applicationInstance?: unknown } } | undefined)?.target?.applicationInstance;
  return typeof target === 'string' && target && op.metadata?.namespace ? `${op.metadata.namespace}/${target}` : undefined;
}

/**
 * The manager's Operation cache, indexed by target instance ({@link operationTargetIndex}).
 * Both controllers read it; whichever registers first adds the index, once per manager.
 *
 * @public
 */
export function operationsByTarget(manager: Manager): Store {
  const store = manager.getInformer(operationKinds.Operation).store;
  if (!store.hasIndex(operationTargetIndex)) {
    store.addIndex(operationTargetIndex, op => {
      const key = operationTargetKey(op);
      return key ? [key] : [];
    });
  }
  return store;
}
