export { ReplicationSourceController } from './ReplicationSourceController';
export type { ReplicationSourceControllerOptions } from './ReplicationSourceController';
