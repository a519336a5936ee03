export { SnapshotController, SNAPSHOT_ERROR_ANNOTATION, SIM_CSI_DRIVER } from './SnapshotController';
export type { SnapshotControllerOptions } from './SnapshotController';
