import type { Manager } from '../runtime';
import {
  ApplicationInstanceControllerOptions,
  registerApplicationInstanceController,
} from './applicationinstance';
import { createOperationController, OperationControllerDeps } from './operation';

export * from './applicationinstance';

/** Options of every controller of the operator. @public */
export interface ControllersOptions {
  /** Parallel reconciles per controller. Default the manager's. */
  concurrency?: number;
  applicationInstance?: Omit<ApplicationInstanceControllerOptions, 'concurrency'>;
  operation?: Omit<OperationControllerDeps, 'manager' | 'concurrency'>;
}

/**
 * Declares the operator's controllers on a manager: ApplicationInstance and Operation.
 * @public
 */
export function registerControllers(manager: Manager, options: ControllersOptions = {}): void {
  registerApplicationInstanceController(manager, { ...options.applicationInstance, concurrency: options.concurrency });
  createOperationController({ ...options.operation, manager, concurrency: options.concurrency });
}
