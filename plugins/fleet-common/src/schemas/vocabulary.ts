/**
 * The enumerations of our two resources, kept apart from the schemas so that the capability
 * constants and the status mappers can use them without pulling the whole schema graph.
 */

/** Operation types. @public */
export const operationTypes = [
  'Backup',
  'Restore',
  'Upgrade',
  'Migration',
  'RunCommand',
  'Runbook',
] as const;

/** An operation type. @public */
export type OperationType = (typeof operationTypes)[number];

/** Operation types that change the instance; only one of them runs per instance at a time. @public */
export const mutatingOperationTypes: ReadonlyArray<OperationType> = [
  'Upgrade',
  'Restore',
  'Migration',
];

/** Operation engines. @public */
export const operationEngines = [
  'job',
  'workflow',
  'velero',
  'volsync',
  'helm',
  'helmHookJob',
] as const;

/** An operation engine. @public */
export type OperationEngine = (typeof operationEngines)[number];

/** Operation phases. @public */
export const operationPhases = [
  'Pending',
  'Running',
  'Succeeded',
  'PartiallySucceeded',
  'Failed',
  'TimedOut',
  'Cancelled',
] as const;

/** An operation phase. @public */
export type OperationPhase = (typeof operationPhases)[number];

/** Phases after which an operation never changes again. @public */
export const terminalOperationPhases: ReadonlyArray<OperationPhase> = [
  'Succeeded',
  'PartiallySucceeded',
  'Failed',
  'TimedOut',
  'Cancelled',
];

/** Condition types of an Operation. Accepted=False carries the rejection reason. @public */
export const operationConditionTypes = {
  accepted: 'Accepted',
  running: 'Running',
  complete: 'Complete',
} as const;

/** Engines that deploy an ApplicationInstance. @public */
export const applicationEngines = ['flux', 'argocd'] as const;

/** An engine that deploys an ApplicationInstance. @public */
export type ApplicationEngine = (typeof applicationEngines)[number];

/** Chart repository types. @public */
export const chartRepositoryTypes = ['helm', 'oci'] as const;

/** A chart repository type. @public */
export type ChartRepositoryType = (typeof chartRepositoryTypes)[number];

/** kstatus-compatible condition types of an ApplicationInstance. @public */
export const applicationInstanceConditionTypes = {
  ready: 'Ready',
  reconciling: 'Reconciling',
  stalled: 'Stalled',
} as const;

/**
 * Engines allowed per operation type. Upgrades go through the helm engine only, because the
 * ApplicationInstance is the single source of intent for the chart version.
 * @public
 */
export const allowedEnginesByType: Readonly<
  Record<OperationType, ReadonlyArray<OperationEngine>>
> = {
  Backup: ['velero', 'volsync', 'job', 'workflow', 'helmHookJob'],
  Restore: ['velero', 'job', 'workflow', 'helmHookJob'],
  Upgrade: ['helm'],
  Migration: ['helmHookJob', 'job', 'workflow'],
  RunCommand: ['job'],
  Runbook: ['workflow', 'job'],
};

/** Whether `engine` may run operations of `type`. @public */
export function isEngineAllowed(
  type: OperationType,
  engine: OperationEngine,
): boolean {
  return allowedEnginesByType[type].includes(engine);
}
