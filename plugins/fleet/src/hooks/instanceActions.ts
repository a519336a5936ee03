import {
  mutatingOperationTypes,
  terminalOperationPhases,
  type AppOperationTemplate,
  type AppTemplate,
  type ClusterSummary,
  type InstanceDetail,
  type OperationEngine,
  type OperationSummary,
  type OperationType,
} from '@vworkspace/backstage-plugin-fleet-common';

/** One action the entity page offers, enabled or disabled with the reason. @public */
export interface InstanceAction {
  type: OperationType;
  engine: OperationEngine;
  title: string;
  description?: string;
  /** The app template's entry, which carries the parameter schema. */
  template: AppOperationTemplate;
  /** Why the action cannot be taken now; undefined when it can. */
  disabledReason?: string;
}

/** Whether the caller may create operations on this instance (usePermission's answer). @public */
export interface ActionPermission {
  loading: boolean;
  allowed: boolean;
}

const defaultTitles: Record<OperationType, string> = {
  Backup: 'Backup now',
  Restore: 'Restore',
  Upgrade: 'Upgrade',
  Migration: 'Migrate',
  RunCommand: 'Run command',
  Runbook: 'Run runbook',
};

/** Backup, Restore and Upgrade come first, in that order; other operations follow the template. */
const leadingTypes: OperationType[] = ['Backup', 'Restore', 'Upgrade'];

/** An operation that has not reached a final phase, including one waiting for delivery. @public */
export function isInFlight(operation: OperationSummary): boolean {
  if (operation.delivery?.state === 'failed') return false;
  return !operation.phase || !terminalOperationPhases.includes(operation.phase);
}

/** Successful backups of the instance, newest first: the points a Restore can go back to. @public */
export function successfulBackups(
  operations: OperationSummary[],
): OperationSummary[] {
  return operations.filter(
    op =>
      op.type === 'Backup' &&
      (op.phase === 'Succeeded' || op.phase === 'PartiallySucceeded'),
  );
}

/** Chart versions of the app catalog the instance can move to (all but the one it asks for). @public */
export function upgradeVersions(
  detail: InstanceDetail,
  app: AppTemplate | undefined,
): string[] {
  return (app?.chart.versions ?? []).filter(
    v => v !== detail.summary.chart.version,
  );
}

function capabilityOf(
  capabilities: Record<string, string>,
  type: OperationType,
): string | undefined {
  const lower = type.toLowerCase();
  const key = Object.keys(capabilities).find(k => k.toLowerCase() === lower);
  return key === undefined ? undefined : capabilities[key];
}

function whyNot(options: {
  template: AppOperationTemplate;
  detail: InstanceDetail;
  app: AppTemplate | undefined;
  cluster: ClusterSummary | undefined;
  permission: ActionPermission;
}): string | undefined {
  const { template, detail, app, cluster, permission } = options;
  const { summary } = detail;
  if (permission.loading) return 'Checking your permission…';
  if (!permission.allowed) {
    return 'You are not allowed to run operations on this instance (fleet.operation.create).';
  }
  if (
    Object.keys(summary.capabilities).length > 0 &&
    capabilityOf(summary.capabilities, template.type) === undefined
  ) {
    return `This instance does not declare the ${template.type} capability.`;
  }
  // A pull cluster takes intent while away (it is delivered when its agent reconnects); a push
  // cluster must answer the API now.
  if (cluster?.mode === 'push' && cluster.connection.state === 'unreachable') {
    const error = cluster.connection.error
      ? `: ${cluster.connection.error}`
      : '';
    return `Cluster ${cluster.name} is unreachable${error}.`;
  }
  if (mutatingOperationTypes.includes(template.type)) {
    const busy = detail.operations.find(
      op => mutatingOperationTypes.includes(op.type) && isInFlight(op),
    );
    if (busy) {
      return `${busy.type} ${busy.name} is still in progress; one change runs at a time.`;
    }
  }
  for (const precondition of template.preconditions) {
    if (precondition === 'ready' && summary.status !== 'Ready') {
      const why = summary.reason
        ? ` (${summary.reason}${summary.message ? `: ${summary.message}` : ''})`
        : '';
      return `The instance is ${summary.status}, not Ready${why}.`;
    }
    if (
      precondition === 'hasSuccessfulBackup' &&
      !summary.lastBackup &&
      successfulBackups(detail.operations).length === 0
    ) {
      return 'There is no successful backup to restore yet.';
    }
  }
  if (
    template.type === 'Restore' &&
    !summary.lastBackup &&
    successfulBackups(detail.operations).length === 0
  ) {
    return 'There is no successful backup to restore yet.';
  }
  if (
    template.type === 'Upgrade' &&
    upgradeVersions(detail, app).length === 0
  ) {
    return 'The app catalog offers no other chart version.';
  }
  return undefined;
}

/**
 * The actions to show for an instance: each operation its app's template allows, with the
 * reason it is disabled when the caller may not take it or a precondition fails. Pure.
 * @public
 */
export function instanceActions(options: {
  detail: InstanceDetail;
  app: AppTemplate | undefined;
  cluster: ClusterSummary | undefined;
  permission: ActionPermission;
}): InstanceAction[] {
  const templates = options.app?.operations ?? [];
  const ordered = [
    ...leadingTypes.flatMap(type => templates.filter(t => t.type === type)),
    ...templates.filter(t => !leadingTypes.includes(t.type)),
  ];
  return ordered.map(template => ({
    type: template.type,
    engine: template.engine,
    title: template.title ?? defaultTitles[template.type],
    description: template.description,
    template,
    disabledReason: whyNot({ ...options, template }),
  }));
}
