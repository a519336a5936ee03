import { z } from 'zod';
import { labelSelectorSchema, objectMetaSchema, timestamp } from './meta';

/** Velero Backup phases (velero.io/v1). @public */
export const veleroBackupPhases = [
  'New',
  'Queued',
  'ReadyToStart',
  'FailedValidation',
  'InProgress',
  'WaitingForPluginOperations',
  'WaitingForPluginOperationsPartiallyFailed',
  'Finalizing',
  'FinalizingPartiallyFailed',
  'Completed',
  'PartiallyFailed',
  'Failed',
  'Deleting',
] as const;

/** A Velero Backup phase. @public */
export type VeleroBackupPhase = (typeof veleroBackupPhases)[number];

/** Velero Restore phases (velero.io/v1). @public */
export const veleroRestorePhases = [
  'New',
  'FailedValidation',
  'InProgress',
  'WaitingForPluginOperations',
  'WaitingForPluginOperationsPartiallyFailed',
  'Completed',
  'PartiallyFailed',
  'Failed',
  'Finalizing',
  'FinalizingPartiallyFailed',
] as const;

/** A Velero Restore phase. @public */
export type VeleroRestorePhase = (typeof veleroRestorePhases)[number];

const veleroSelector = labelSelectorSchema.loose();

const progressStatusShape = {
  startTimestamp: timestamp().optional(),
  completionTimestamp: timestamp().optional(),
  errors: z.int().optional(),
  warnings: z.int().optional(),
  failureReason: z.string().optional(),
  validationErrors: z.array(z.string()).optional(),
  progress: z
    .looseObject({
      itemsBackedUp: z.int().optional(),
      itemsRestored: z.int().optional(),
      totalItems: z.int().optional(),
    })
    .optional(),
};

/** Velero Backup, velero.io/v1. @public */
export const veleroBackupSchema = z.looseObject({
  apiVersion: z.literal('velero.io/v1'),
  kind: z.literal('Backup'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    includedNamespaces: z.array(z.string()).optional(),
    excludedNamespaces: z.array(z.string()).optional(),
    includedResources: z.array(z.string()).optional(),
    excludedResources: z.array(z.string()).optional(),
    labelSelector: veleroSelector.optional(),
    ttl: z.string().optional(),
    storageLocation: z.string().optional(),
    volumeSnapshotLocations: z.array(z.string()).optional(),
    snapshotVolumes: z.boolean().optional(),
    defaultVolumesToFsBackup: z.boolean().optional(),
    includeClusterResources: z.boolean().optional(),
  }),
  status: z
    .looseObject({
      phase: z.enum(veleroBackupPhases).optional(),
      expiration: timestamp().optional(),
      version: z.int().optional(),
      formatVersion: z.string().optional(),
      ...progressStatusShape,
    })
    .optional(),
});

/** Velero Backup. @public */
export type VeleroBackup = z.infer<typeof veleroBackupSchema>;

/** Velero Restore, velero.io/v1. @public */
export const veleroRestoreSchema = z.looseObject({
  apiVersion: z.literal('velero.io/v1'),
  kind: z.literal('Restore'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    backupName: z.string().optional(),
    scheduleName: z.string().optional(),
    includedNamespaces: z.array(z.string()).optional(),
    excludedNamespaces: z.array(z.string()).optional(),
    includedResources: z.array(z.string()).optional(),
    excludedResources: z.array(z.string()).optional(),
    namespaceMapping: z.record(z.string(), z.string()).optional(),
    labelSelector: veleroSelector.optional(),
    restorePVs: z.boolean().optional(),
    includeClusterResources: z.boolean().optional(),
    existingResourcePolicy: z.string().optional(),
  }),
  status: z
    .looseObject({
      phase: z.enum(veleroRestorePhases).optional(),
      ...progressStatusShape,
    })
    .optional(),
});

/** Velero Restore. @public */
export type VeleroRestore = z.infer<typeof veleroRestoreSchema>;
