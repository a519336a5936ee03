/**
 * The Operation controller.
 *
 * @packageDocumentation
 */
import { Engine } from '../../engines/Engine';
import { operationKinds } from '../../engines/kinds';
import type { Manager } from '../../runtime/Manager';
import { terminalOperationPhases, OperationEngine } from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '../../runtime/types';
import { OperationReconciler } from './OperationReconciler';

export * from './admitOperation';
export * from './operationStatus';
export { OperationReconciler, cancelFinalizer } from './OperationReconciler';
export type { OperationReconcilerOptions } from './OperationReconciler';
export { recordEvent, eventComponent } from './recordEvent';

/** Name of the Operation cache index by target instance (`namespace/instance`). @public */
export const operationTargetIndex = 'ops.vworkspace.io/target';

/** @public */
export interface OperationControllerDeps {
  manager: Manager;
  /** Namespace of Velero's Backups and Restores. Default `velero`. */
  veleroNamespace?: string;
  /**
   * Prefix of RBAC profile ClusterRoles (the chart's `FLEET_OPERATOR_PROFILE_CLUSTERROLE_PREFIX`).
   * Default `fleet-operator-profile-`.
   */
  profileClusterRolePrefix?: string;
  /** How often running engines are polled and waiting operations re-checked. Default 5 s. */
  pollIntervalMs?: number;
  /** Parallel reconciles. Default the manager's. */
  concurrency?: number;
  /** Replaces engines, e.g. in tests. Default the six engines. */
  engines?: Readonly<Record<OperationEngine, Engine>>;
  now?: () => Date;
}

function targetKey(op: KubeObject): string | undefined {
  const target = (op.spec as { target?: { applicationInstance?: unknown } } | undefined)?.target?.applicationInstance;
  return typeof target === 'string' ? `${op.metadata?.namespace}/${target}` : undefined;
}

const isTerminal = (op: KubeObject) =>
  terminalOperationPhases.some(p => p === (op.status as { phase?: string } | undefined)?.phase);

/**
 * Registers the Operation controller with `manager`: For(Operation), Owns(Job), and
 * Watches(ApplicationInstance → the operations targeting it) plus Watches(Operation → the
 * unfinished operations on the same instance), so that an operation waiting for its target to
 * be Ready, or for another operation to finish, starts as soon as that happens. Engine kinds
 * other than Job are polled rather than watched: their CRDs (Velero, Argo, VolSync, CSI) may be
 * absent from a cluster, and a watch on a missing kind would keep the caches from syncing.
 * @public
 */
export function createOperationController(deps: OperationControllerDeps): OperationReconciler {
  const { manager } = deps;
  const operations = manager.getInformer(operationKinds.Operation);
  operations.store.addIndex(operationTargetIndex, op => {
    const key = targetKey(op);
    return key ? [key] : [];
  });
  const unfinishedOn = (key: string) =>
    operations.store
      .byIndex(operationTargetIndex, key)
      .filter(op => !isTerminal(op))
      .map(op => ({ namespace: op.metadata?.namespace, name: op.metadata!.name! }));

  const reconciler = new OperationReconciler({
    client: manager.client,
    listSiblings: (namespace, target) => operations.store.byIndex(operationTargetIndex, `${namespace}/${target}`),
    engines: deps.engines,
    veleroNamespace: deps.veleroNamespace,
    profileClusterRolePrefix: deps.profileClusterRolePrefix,
    pollIntervalMs: deps.pollIntervalMs,
    logger: manager.logger.child({ controller: 'operation' }),
    now: deps.now,
  });

  manager
    .controller('operation')
    .for(operationKinds.Operation)
    .owns(operationKinds.Job)
    .watches(operationKinds.ApplicationInstance, instance =>
      unfinishedOn(`${instance.metadata?.namespace}/${instance.metadata?.name}`),
    )
    .watches(operationKinds.Operation, op => {
      const key = targetKey(op);
      // Only an operation that ends or changes phase can unblock the others.
      return key ? unfinishedOn(key).filter(r => r.name !== op.metadata?.name) : [];
    })
    .withOptions({ concurrency: deps.concurrency })
    .complete(reconciler);
  return reconciler;
}
