/**
 * The Operation controller.
 *
 * @packageDocumentation
 */
import { Engine } from '../../engines/Engine';
import { operationKinds } from '../../engines/kinds';
import type { KubeObject, Manager } from '@vworkspace/kube-runtime';
import { terminalOperationPhases, OperationEngine } from '@vworkspace/backstage-plugin-fleet-common';
import { OperationReconciler } from './OperationReconciler';
import { operationsByTarget, operationTargetIndex, operationTargetKey } from '../operationTargetIndex';

export * from './admitOperation';
export * from './operationStatus';
export { OperationReconciler, cancelFinalizer } from './OperationReconciler';
export type { OperationReconcilerOptions } from './OperationReconciler';
export { recordEvent, eventComponent } from './recordEvent';

/** @public */
export interface OperationControllerOptions {
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
export function registerOperationController(manager: Manager, options: OperationControllerOptions = {}): OperationReconciler {
  const operations = operationsByTarget(manager);
  const unfinishedOn = (key: string) =>
    operations
      .byIndex(operationTargetIndex, key)
      .filter(op => !isTerminal(op))
      .map(op => ({ namespace: op.metadata?.namespace, name: op.metadata!.name! }));

  const reconciler = new OperationReconciler({
    client: manager.client,
    listSiblings: (namespace, target) => operations.byIndex(operationTargetIndex, `${namespace}/${target}`),
    engines: options.engines,
    veleroNamespace: options.veleroNamespace,
    profileClusterRolePrefix: options.profileClusterRolePrefix,
    pollIntervalMs: options.pollIntervalMs,
    logger: manager.logger.child({ controller: 'operation' }),
    now: options.now,
  });

  manager
    .controller('operation')
    .for(operationKinds.Operation)
    .owns(operationKinds.Job)
    .watches(operationKinds.ApplicationInstance, instance =>
      unfinishedOn(`${instance.metadata?.namespace}/${instance.metadata?.name}`),
    )
    .watches(operationKinds.Operation, op => {
      const key = operationTargetKey(op);
      // Only an operation that ends or changes phase can unblock the others.
      return key ? unfinishedOn(key).filter(r => r.name !== op.metadata?.name) : [];
    })
    .withOptions({ concurrency: options.concurrency })
    .complete(reconciler);
  return reconciler;
}
