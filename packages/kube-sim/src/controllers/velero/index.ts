export { VeleroController } from './VeleroController';
export type { VeleroControllerOptions } from './VeleroController';
export { VeleroRestoreController } from './VeleroRestoreController';
export type { VeleroRestoreControllerOptions } from './VeleroRestoreController';
export { BackupStore } from './BackupStore';
export type { StoredBackup } from './BackupStore';
export type { RestoreResult } from './restoreItems';
export { OUTCOME_ANNOTATION } from './veleroCommon';
