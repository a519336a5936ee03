import { SimController, nowRfc3339 } from '../runtime';
import type { ObjectKey, ReconcileResult, SimControllerOptions } from '../runtime';
import { StatusError } from '../../server/StatusError';
import type { KubeObject } from '../../types';
import type { BackupStore } from './BackupStore';
import { includeExcludeErrors } from './filters';
import { RestoreResult, RestoreScope, restoreItems } from './restoreItems';
import { StepTimer } from './StepTimer';
import { BACKUPS, RESTORES, VELERO_MANAGER, nonZero, patchVelero, requestedOutcome } from './veleroCommon';

/** @public */
export interface VeleroRestoreControllerOptions extends SimControllerOptions {
  namespace: string;
  store: BackupStore;
}

interface RestoreSpec extends RestoreScope {
  backupName?: string;
  scheduleName?: string;
}

/**
 * Velero's restore controller: a Restore (`spec.backupName`, or `spec.scheduleName`
 * for the newest Completed backup of a schedule) goes New → InProgress → Finalizing →
 * Completed, or FailedValidation (e.g. `Error retrieving backup: backups.velero.io "x" not found`).
 * It recreates the backed-up objects that no longer exist, labelled
 * `velero.io/backup-name` and `velero.io/restore-name`; existing ones are skipped,
 * with a warning when they differ from the backup. Started by {@link VeleroController}.
 * `sim.vworkspace.io/outcome: PartiallyFailed | Failed` forces the outcome.
 * @public
 */
export class VeleroRestoreController extends SimController {
  readonly name = VELERO_MANAGER;
  protected readonly primary = RESTORES;
  private readonly namespace: string;
  private readonly store: BackupStore;
  private readonly timer = new StepTimer();
  private readonly results = new Map<string, RestoreResult>();

  constructor(options: VeleroRestoreControllerOptions) {
    super(options);
    this.namespace = options.namespace;
    this.store = options.store;
  }

  /** The warnings and errors of a finished restore, as Velero's results file lists them. */
  resultsOf(name: string): RestoreResult | undefined {
    return this.results.get(name);
  }

  protected async reconcile(key: ObjectKey, restore: KubeObject | undefined): Promise<ReconcileResult> {
    if (key.namespace !== this.namespace || !restore || restore.metadata.deletionTimestamp) return undefined;
    const phase = ((restore.status as { phase?: string } | undefined)?.phase) ?? '';
    switch (phase) {
      case '':
        await patchVelero(this.api, RESTORES, restore, { status: { phase: 'New' } });
        return undefined;
      case 'New':
        await this.validateAndStart(restore);
        return undefined;
      case 'InProgress':
        return this.run(restore);
      case 'Finalizing':
      case 'FinalizingPartiallyFailed': {
        const remaining = this.timer.remaining(restore.metadata.uid!, 'Finalizing', this.duration(1_000));
        if (remaining > 0) return { requeueAfterMs: remaining };
        this.timer.forget(restore.metadata.uid!);
        await patchVelero(this.api, RESTORES, restore, {
          status: { phase: phase === 'Finalizing' ? 'Completed' : 'PartiallyFailed', completionTimestamp: nowRfc3339() },
        });
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private async validateAndStart(restore: KubeObject): Promise<void> {
    const spec = (restore.spec ?? {}) as RestoreSpec;
    const errors: string[] = [];
    for (const e of includeExcludeErrors(spec.includedResources, spec.excludedResources)) errors.push(`Invalid included/excluded resource lists: ${e}`);
    for (const e of includeExcludeErrors(spec.includedNamespaces, spec.excludedNamespaces)) errors.push(`Invalid included/excluded namespace lists: ${e}`);
    if (spec.labelSelector && spec.orLabelSelectors?.length) {
      errors.push('encountered labelSelector as well as orLabelSelectors in restore spec, only one can be specified');
    }
    let backupName = spec.backupName;
    if (!!spec.backupName === !!spec.scheduleName) {
      errors.push('Either a backup or schedule must be specified as a source for the restore, but not both');
    } else if (spec.scheduleName) {
      const backups = this.api.list(BACKUPS, { namespace: this.namespace, labelSelector: `velero.io/schedule-name=${spec.scheduleName}` }).items;
      const completed = backups
        .filter(b => (b.status as { phase?: string } | undefined)?.phase === 'Completed')
        .sort((a, b) => String((b.status as { startTimestamp?: string }).startTimestamp ?? '').localeCompare(String((a.status as { startTimestamp?: string }).startTimestamp ?? '')));
      if (!backups.length) errors.push('No backups found for schedule');
      else if (!completed.length) errors.push('No completed backups found for schedule');
      else backupName = completed[0].metadata.name;
    }
    if (backupName && !errors.length) {
      try {
        this.api.get(BACKUPS, backupName, { namespace: this.namespace });
      } catch (error) {
        if (!(error instanceof StatusError && error.code === 404)) throw error;
        errors.push(`Error retrieving backup: backups.velero.io "${backupName}" not found`);
      }
    }
    if (errors.length) {
      await patchVelero(this.api, RESTORES, restore, { status: { phase: 'FailedValidation', validationErrors: errors } });
      return;
    }
    await patchVelero(this.api, RESTORES, restore, {
      ...(spec.scheduleName ? { spec: { backupName } } : {}),
      status: { phase: 'InProgress', startTimestamp: nowRfc3339(), progress: {} },
    });
  }

  private async run(restore: KubeObject): Promise<ReconcileResult> {
    const uid = restore.metadata.uid!;
    const remaining = this.timer.remaining(uid, 'InProgress', this.duration(3_000));
    if (remaining > 0) return { requeueAfterMs: remaining };
    const spec = (restore.spec ?? {}) as RestoreSpec;
    const outcome = requestedOutcome(restore);
    const fail = async (failureReason: string) => {
      this.timer.forget(uid);
      await patchVelero(this.api, RESTORES, restore, { status: { phase: 'Failed', completionTimestamp: nowRfc3339(), errors: 1, failureReason } });
    };
    if (outcome === 'Failed') {
      await fail('error downloading backup: simulated object storage failure (sim.vworkspace.io/outcome: Failed)');
      return undefined;
    }
    let location = 'default';
    try {
      const backup = this.api.get(BACKUPS, spec.backupName!, { namespace: this.namespace });
      location = (backup.spec as { storageLocation?: string } | undefined)?.storageLocation || location;
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) throw error;
    }
    const stored = this.store.get(location, spec.backupName!);
    if (!stored) {
      await fail(`error downloading backup: backup "${spec.backupName}" has no contents in backup storage location "${location}"`);
      return undefined;
    }
    const result = await restoreItems(this.api, stored.items, spec, { backup: spec.backupName!, restore: restore.metadata.name! }, VELERO_MANAGER);
    this.results.set(restore.metadata.name!, result);
    const errors = result.errors.length + (outcome === 'PartiallyFailed' ? 1 : 0);
    await patchVelero(this.api, RESTORES, restore, {
      status: {
        phase: errors ? 'FinalizingPartiallyFailed' : 'Finalizing',
        progress: { totalItems: result.totalItems, itemsRestored: result.itemsRestored },
        warnings: nonZero(result.warnings.length) ?? null,
        errors: nonZero(errors) ?? null,
      },
    });
    return undefined;
  }
}
