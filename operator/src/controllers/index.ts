import type { Manager } from '@vworkspace/kube-runtime';
import { ApplicationInstanceControllerOptions, registerApplicationInstanceController } from './applicationinstance';
import { OperationControllerOptions, registerOperationController } from './operation';

export * from './applicationinstance';
export * from './operationTargetIndex';

/** Options of every controller of the operator. @public */
export interface ControllersOptions {
  /** Parallel reconciles per controller. Default the manager's. */
  concurrency?: number;
  applicationInstance?: Omit<ApplicationInstanceControllerOptions, 'concurrency'>;
  operation?: Omit<OperationControllerOptions, 'concurrency'>;
}

/**
 * Declares the operator's controllers on a manager: ApplicationInstance and Operation.
 * @public
 */
export function registerControllers(manager: Manager, options: ControllersOptions = {}): void {
  registerApplicationInstanceController(manager, { ...options.applicationInstance, concurrency: options.concurrency });
  registerOperationController(manager, { ...options.operation, concurrency: options.concurrency });
}
