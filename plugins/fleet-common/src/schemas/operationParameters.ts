import { z } from 'zod';
import {
  dns1123Label,
  dns1123Subdomain,
  freeForm,
  goDuration,
  labelSelectorSchema,
  semver,
} from './meta';
import type { OperationEngine, OperationType } from './vocabulary';

/*
 * Operation.spec.parameters per engine. Strict: these are requests people write, and a
 * misspelt parameter must be refused rather than silently ignored.
 */

/** Parameters of the job engine: a one-shot batch/v1 Job. @public */
export const jobParametersSchema = z.strictObject({
  image: z.string().min(1).describe('Container image to run.'),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z
    .array(z.strictObject({ name: z.string().min(1), value: z.string() }))
    .optional(),
  rbacProfile: dns1123Label()
    .optional()
    .describe(
      'RBAC profile of the namespace-scoped service account the engine runs as (default readonly); profiles are installed with the operator.',
    ),
  backoffLimit: z.int().min(0).max(10).optional(),
  activeDeadlineSeconds: z.int().min(1).optional(),
});

/** Parameters of the job engine. @public */
export type JobParameters = z.infer<typeof jobParametersSchema>;

/** Parameters of the workflow engine: an Argo Workflow from a WorkflowTemplate. @public */
export const workflowParametersSchema = z.strictObject({
  workflowTemplate: dns1123Subdomain(),
  parameters: z
    .record(
      z.string().regex(/^[-a-zA-Z0-9_]+$/, {
        message:
          'must be a workflow parameter name (letters, digits, "-", "_")',
      }),
      z.string(),
    )
    .optional(),
  rbacProfile: dns1123Label()
    .optional()
    .describe(
      'RBAC profile of the namespace-scoped service account the engine runs as (default readonly); profiles are installed with the operator.',
    ),
});

/** Parameters of the workflow engine. @public */
export type WorkflowParameters = z.infer<typeof workflowParametersSchema>;

/**
 * Parameters of a Velero backup. `includedNamespaces` defaults to the target's namespace
 * (the engine fills it in, since only it knows the namespace).
 * @public
 */
export const veleroBackupParametersSchema = z.strictObject({
  includedNamespaces: z.array(dns1123Label()).min(1).optional(),
  ttl: goDuration().optional(),
  storageLocation: z.string().min(1).optional(),
  snapshotVolumes: z.boolean().optional(),
  labelSelector: labelSelectorSchema.optional(),
});

/** Parameters of a Velero backup. @public */
export type VeleroBackupParameters = z.infer<
  typeof veleroBackupParametersSchema
>;

/** Parameters of a Velero restore: a named backup, or the newest successful one. @public */
export const veleroRestoreParametersSchema = z
  .strictObject({
    backupName: dns1123Subdomain().optional(),
    latest: z.boolean().optional(),
    includedNamespaces: z.array(dns1123Label()).optional(),
    includedResources: z.array(z.string()).optional(),
    excludedResources: z.array(z.string()).optional(),
    restorePVs: z.boolean().optional(),
    labelSelector: labelSelectorSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const named = p.backupName !== undefined;
    if (named === (p.latest === true)) {
      ctx.addIssue({
        code: 'custom',
        path: ['backupName'],
        message:
          'give either backupName or latest: true, not both and not neither',
      });
    }
  });

/** Parameters of a Velero restore. @public */
export type VeleroRestoreParameters = z.infer<
  typeof veleroRestoreParametersSchema
>;

/** Parameters of the volsync engine: a CSI snapshot of a PVC, or a manual VolSync sync. @public */
export const volsyncParametersSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('volumeSnapshot'),
    pvcName: dns1123Subdomain(),
    volumeSnapshotClassName: dns1123Subdomain().optional(),
  }),
  z.strictObject({
    mode: z.literal('replicationSource'),
    replicationSourceName: dns1123Subdomain(),
    trigger: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe(
        'Manual trigger token; the engine uses the Operation name if absent.',
      ),
  }),
]);

/** Parameters of the volsync engine. @public */
export type VolsyncParameters = z.infer<typeof volsyncParametersSchema>;

/** Parameters of the helm engine: the chart version to move to, and an optional values patch. @public */
export const helmParametersSchema = z.strictObject({
  version: semver(),
  values: freeForm().optional(),
});

/** Parameters of the helm engine. @public */
export type HelmParameters = z.infer<typeof helmParametersSchema>;

/** Parameters of the helmHookJob engine: which hook of the chart to run on demand. @public */
export const helmHookJobParametersSchema = z.strictObject({
  hook: z
    .string()
    .min(1)
    .max(253)
    .describe('Name of a hook the chart declares.'),
});

/** Parameters of the helmHookJob engine. @public */
export type HelmHookJobParameters = z.infer<typeof helmHookJobParametersSchema>;

/**
 * The schema of `spec.parameters` for an engine running an operation type. Velero is the only
 * engine whose parameters differ by type (Backup or Restore).
 * @public
 */
export function operationParametersSchema(
  type: OperationType,
  engine: OperationEngine,
): z.ZodType<Record<string, unknown>> {
  switch (engine) {
    case 'job':
      return jobParametersSchema;
    case 'workflow':
      return workflowParametersSchema;
    case 'velero':
      return type === 'Restore'
        ? veleroRestoreParametersSchema
        : veleroBackupParametersSchema;
    case 'volsync':
      return volsyncParametersSchema;
    case 'helm':
      return helmParametersSchema;
    case 'helmHookJob':
      return helmHookJobParametersSchema;
    default:
      // Unreachable for typed callers; a raw string from an old client lands here.
      throw new Error(`unknown engine ${String(engine satisfies never)}`);
  }
}
