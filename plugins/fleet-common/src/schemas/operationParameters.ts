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

/**
 * A container environment variable name every supported Kubernetes version accepts (a
 * C-identifier-like name, also allowing `-` and `.`: `IsEnvVarName` before the relaxed rules of
 * 1.32+). A name outside it makes the API server refuse the Job with 422 Invalid.
 * @public
 */
export const envVarNamePattern = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * A container image reference: `[registry[:port]/]path[:tag][@digest]`, lower-case path
 * components, as the OCI distribution reference grammar has it. Anything else (spaces, upper
 * case, a stray `:`) never pulls, and some of it the API server refuses outright.
 * @public
 */
export const imageReferencePattern = new RegExp(
  [
    '^',
    // optional registry host and port
    '(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?/)?',
    // path components
    '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*',
    // tag, digest
    '(?::[\\w][\\w.-]{0,127})?',
    '(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?',
    '$',
  ].join(''),
);

/** Parameters of the job engine: a one-shot batch/v1 Job. @public */
export const jobParametersSchema = z.strictObject({
  image: z
    .string()
    .min(1)
    .max(1024)
    .regex(imageReferencePattern, {
      message:
        'must be a container image reference such as registry.example.com/team/tool:1.2 (lower-case path, no spaces)',
    })
    .describe('Container image to run.'),
  command: z
    .array(z.string())
    .optional()
    .describe("Entrypoint of the container; the image's own when absent."),
  args: z
    .array(z.string())
    .optional()
    .describe('Arguments of the command (or of the image entrypoint).'),
  env: z
    .array(
      z.strictObject({
        name: z.string().min(1).regex(envVarNamePattern, {
          message:
            'must be an environment variable name: letters, digits, "_", "-" or ".", not starting with a digit (e.g. MY_VAR)',
        }),
        value: z.string(),
      }),
    )
    .optional()
    .describe('Environment variables of the container, as name and value.'),
  rbacProfile: dns1123Label()
    .optional()
    .describe(
      'RBAC profile of the namespace-scoped service account the engine runs as (default readonly); profiles are installed with the operator.',
    ),
  backoffLimit: z
    .int()
    .min(0)
    .max(10)
    .optional()
    .describe(
      'Retries of a failed pod (default 0: a maintenance command is not known to be safe to run twice).',
    ),
  activeDeadlineSeconds: z
    .int()
    .min(1)
    .optional()
    .describe(
      "Deadline of the Job itself (default the Operation's timeoutSeconds).",
    ),
});

/** Parameters of the job engine. @public */
export type JobParameters = z.infer<typeof jobParametersSchema>;

/** Parameters of the workflow engine: an Argo Workflow from a WorkflowTemplate. @public */
export const workflowParametersSchema = z.strictObject({
  workflowTemplate: dns1123Subdomain().describe(
    "Name of the WorkflowTemplate, in the Operation's namespace, the Workflow is made from.",
  ),
  parameters: z
    .record(
      z.string().regex(/^[-a-zA-Z0-9_]+$/, {
        message:
          'must be a workflow parameter name (letters, digits, "-", "_")',
      }),
      z.string(),
    )
    .optional()
    .describe("Values of the template's input parameters, by name."),
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
  includedNamespaces: z
    .array(dns1123Label())
    .min(1)
    .optional()
    .describe("Namespaces to back up (default the Operation's namespace)."),
  ttl: goDuration()
    .optional()
    .describe("How long Velero keeps the backup (default Velero's, 720h)."),
  storageLocation: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Velero BackupStorageLocation to write to (default Velero's default location).",
    ),
  snapshotVolumes: z
    .boolean()
    .optional()
    .describe(
      "Whether to snapshot persistent volumes (default Velero's setting).",
    ),
  labelSelector: labelSelectorSchema
    .optional()
    .describe(
      'Back up only the objects with these labels (metav1.LabelSelector).',
    ),
});

/** Parameters of a Velero backup. @public */
export type VeleroBackupParameters = z.infer<
  typeof veleroBackupParametersSchema
>;

/** Parameters of a Velero restore: a named backup, or the newest successful one. @public */
export const veleroRestoreParametersSchema = z
  .strictObject({
    backupName: dns1123Subdomain()
      .optional()
      .describe('Velero Backup to restore from. Give this or latest.'),
    latest: z
      .boolean()
      .optional()
      .describe(
        "true: restore from the newest successful backup of the Operation's namespace. Give this or backupName.",
      ),
    includedNamespaces: z
      .array(dns1123Label())
      .optional()
      .describe("Namespaces to restore (default the Operation's namespace)."),
    includedResources: z
      .array(z.string())
      .optional()
      .describe(
        'Restore only these resources (e.g. configmaps, deployments.apps).',
      ),
    excludedResources: z
      .array(z.string())
      .optional()
      .describe('Do not restore these resources.'),
    restorePVs: z
      .boolean()
      .optional()
      .describe(
        "Whether to restore persistent volumes from their snapshots (default Velero's).",
      ),
    labelSelector: labelSelectorSchema
      .optional()
      .describe(
        'Restore only the objects with these labels (metav1.LabelSelector).',
      ),
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
    mode: z
      .literal('volumeSnapshot')
      .describe('Take a CSI VolumeSnapshot of one PersistentVolumeClaim.'),
    pvcName: dns1123Subdomain().describe(
      "PersistentVolumeClaim to snapshot, in the Operation's namespace.",
    ),
    volumeSnapshotClassName: dns1123Subdomain()
      .optional()
      .describe(
        "VolumeSnapshotClass to use (default the cluster's default class).",
      ),
  }),
  z.strictObject({
    mode: z
      .literal('replicationSource')
      .describe('Trigger a manual sync of a VolSync ReplicationSource.'),
    replicationSourceName: dns1123Subdomain().describe(
      "ReplicationSource to sync, in the Operation's namespace.",
    ),
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
  version: semver().describe('Chart version to upgrade to.'),
  values: freeForm()
    .optional()
    .describe(
      "Helm values merged into the instance's values (JSON merge patch: null removes a key).",
    ),
  revertOnFailure: z
    .boolean()
    .default(true)
    .describe(
      "When the upgrade fails and Flux rolls the release back, set the instance's chart version (and values) back to what they were, so it is Ready again at the version that runs. false leaves the instance asking for the failed version.",
    ),
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
