/**
 * The six engines of the Operation controller, one module each behind {@link Engine}.
 *
 * @packageDocumentation
 */
import type { OperationEngine } from '@vworkspace/backstage-plugin-fleet-common';
import type { Engine } from './Engine';
import { helmEngine } from './helm';
import { helmHookJobEngine } from './helmHookJob';
import { jobEngine } from './job';
import { veleroEngine } from './velero';
import { volsyncEngine } from './volsync';
import { workflowEngine } from './workflow';

export * from './Engine';
export * from './engineResources';
export * from './kinds';
export * from './profileAccount';
export * from './podSecurity';
export { jobEngine, buildJob } from './job';
export { workflowEngine, buildWorkflow } from './workflow';
export { veleroEngine, buildBackup, buildRestore, latestSuccessfulBackup } from './velero';
export { volsyncEngine, buildVolumeSnapshot, triggerToken } from './volsync';
export { helmEngine, instanceUpgradeStatus } from './helm';
export { helmHookJobEngine, hookJobFrom, latestReleaseSecret } from './helmHookJob';

/** Every engine, by the name `spec.engine` uses. @public */
export const engines: Readonly<Record<OperationEngine, Engine>> = {
  job: jobEngine,
  workflow: workflowEngine,
  velero: veleroEngine,
  volsync: volsyncEngine,
  helm: helmEngine,
  helmHookJob: helmHookJobEngine,
};
