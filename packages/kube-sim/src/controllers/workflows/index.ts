export { WorkflowController } from './WorkflowController';
export type { WorkflowControllerOptions } from './WorkflowController';
