import {
  OperationType,
  VeleroBackup,
  VeleroBackupParameters,
  VeleroRestore,
  VeleroRestoreParameters,
  veleroStatus,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import { Engine, EngineContext, EngineFailure, EngineRef } from './Engine';
import {
  adopt,
  createOrAdopt,
  deleteIfExists,
  deterministicName,
  engineLabels,
  getOrUndefined,
  operationNamespaceLabel,
} from './engineResources';
import { operationKinds } from './kinds';

const isRestore = (ctx: EngineContext) => ctx.operation.spec.type === 'Restore';

/** Velero objects of every namespace share Velero's namespace: the name carries ours. */
function veleroName(ctx: EngineContext): string {
  return deterministicName([ctx.operation.metadata.namespace, ctx.operation.metadata.name]);
}

function kindOf(ctx: EngineContext) {
  return isRestore(ctx) ? operationKinds.VeleroRestore : operationKinds.VeleroBackup;
}

/**
 * The Velero Backup of a Backup Operation. It lives in Velero's namespace, so no ownerReference
 * can point at the Operation; labels name it instead, and nothing ever deletes it on the
 * Operation's behalf: data outlives the record of the request that made it.
 * @public
 */
export function buildBackup(ctx: EngineContext): VeleroBackup {
  const params = ctx.operation.spec.parameters as VeleroBackupParameters;
  return {
    apiVersion: operationKinds.VeleroBackup.apiVersion,
    kind: operationKinds.VeleroBackup.kind,
    metadata: { name: veleroName(ctx), namespace: ctx.options.veleroNamespace, labels: engineLabels(ctx, true) },
    spec: {
      includedNamespaces: params.includedNamespaces ?? [ctx.operation.metadata.namespace],
      ...(params.labelSelector ? { labelSelector: params.labelSelector } : {}),
      ...(params.ttl ? { ttl: params.ttl } : {}),
      ...(params.storageLocation ? { storageLocation: params.storageLocation } : {}),
      ...(params.snapshotVolumes !== undefined ? { snapshotVolumes: params.snapshotVolumes } : {}),
    },
  };
}

/** The Velero Restore of a Restore Operation, from `backupName`. @public */
export function buildRestore(ctx: EngineContext, backupName: string): VeleroRestore {
  const params = ctx.operation.spec.parameters as VeleroRestoreParameters;
  return {
    apiVersion: operationKinds.VeleroRestore.apiVersion,
    kind: operationKinds.VeleroRestore.kind,
    metadata: { name: veleroName(ctx), namespace: ctx.options.veleroNamespace, labels: engineLabels(ctx, true) },
    spec: {
      backupName,
      includedNamespaces: params.includedNamespaces ?? [ctx.operation.metadata.namespace],
      ...(params.includedResources ? { includedResources: params.includedResources } : {}),
      ...(params.excludedResources ? { excludedResources: params.excludedResources } : {}),
      ...(params.labelSelector ? { labelSelector: params.labelSelector } : {}),
      ...(params.restorePVs !== undefined ? { restorePVs: params.restorePVs } : {}),
    },
  };
}

/**
 * The newest Completed backup covering `namespace` (it lists the namespace, or was made by an
 * Operation there), by completion time. PartiallyFailed backups are not "successful".
 * @public
 */
export function latestSuccessfulBackup(backups: VeleroBackup[], namespace: string): VeleroBackup | undefined {
  const covers = (b: VeleroBackup) =>
    b.metadata.labels?.[operationNamespaceLabel] === namespace || (b.spec.includedNamespaces ?? []).includes(namespace);
  const when = (b: VeleroBackup) => b.status?.completionTimestamp ?? b.metadata.creationTimestamp ?? '';
  return backups
    .filter(b => b.status?.phase === 'Completed' && !b.metadata.deletionTimestamp && covers(b))
    .sort((a, b) => when(b).localeCompare(when(a)))[0];
}

async function resolveBackupName(ctx: EngineContext): Promise<string> {
  const params = ctx.operation.spec.parameters as VeleroRestoreParameters;
  if (params.backupName) return params.backupName;
  const list = await ctx.client.list<VeleroBackup & KubeObject>(operationKinds.VeleroBackup, {
    namespace: ctx.options.veleroNamespace,
  });
  const latest = latestSuccessfulBackup(list.items, ctx.operation.metadata.namespace);
  if (!latest) {
    throw new EngineFailure(
      'NoBackup',
      `no Completed Velero backup of namespace ${ctx.operation.metadata.namespace} in ${ctx.options.veleroNamespace}`,
    );
  }
  return latest.metadata.name!;
}

/**
 * Backs up and restores through Velero. Velero cannot interrupt a Backup or Restore in
 * progress, so a cancel or deadline lets it finish and says so.
 * @public
 */
export const veleroEngine: Engine = {
  name: 'velero',
  defaultTimeoutSeconds: 4 * 3600,
  requires: 'Velero installed and the chart value velero.enabled=true (the operator\'s Role in Velero\'s namespace)',
  supports(type: OperationType) {
    return type === 'Backup' || type === 'Restore';
  },
  ref(ctx): EngineRef {
    const kind = kindOf(ctx);
    return { apiVersion: kind.apiVersion, kind: kind.kind, name: veleroName(ctx), namespace: ctx.options.veleroNamespace };
  },
  async start(ctx) {
    if (!isRestore(ctx)) {
      return createOrAdopt(ctx.client, operationKinds.VeleroBackup, buildBackup(ctx), ctx, true);
    }
    // An existing Restore keeps the backup it was made from, even if a newer one appeared since.
    const existing = await this.get(ctx);
    if (existing) return adopt(existing, operationKinds.VeleroRestore, ctx, true);
    const backupName = await resolveBackupName(ctx);
    return createOrAdopt(ctx.client, operationKinds.VeleroRestore, buildRestore(ctx, backupName), ctx, true);
  },
  get(ctx) {
    return getOrUndefined(ctx.client, kindOf(ctx), veleroName(ctx), ctx.options.veleroNamespace);
  },
  observe(_ctx, resource) {
    const obj = resource as VeleroBackup | VeleroRestore;
    const status = veleroStatus(obj);
    const result: Record<string, unknown> =
      obj.kind === 'Restore'
        ? { restoreName: obj.metadata.name, backupName: (obj as VeleroRestore).spec.backupName }
        : { backupName: obj.metadata.name };
    return {
      status,
      raw: {
        phase: obj.status?.phase ?? 'New',
        reason: obj.status?.failureReason,
        message: obj.status?.validationErrors?.join('; '),
      },
      result,
    };
  },
  async stop(ctx) {
    const kind = kindOf(ctx).kind;
    return {
      outcome: 'finishes',
      message: `Velero cannot interrupt a ${kind} in progress: ${kind} ${ctx.options.veleroNamespace}/${veleroName(ctx)} is left to finish`,
    };
  },
  async cleanup(ctx) {
    // A Restore is a record of work; a Backup is data and is never deleted here.
    if (isRestore(ctx)) {
      await deleteIfExists(ctx.client, operationKinds.VeleroRestore, veleroName(ctx), ctx.options.veleroNamespace);
    }
  },
};
