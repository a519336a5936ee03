import { z } from 'zod';
import { conditionSchema } from './conditions';
import { goDuration, objectMetaSchema, timestamp } from './meta';

/*
 * Flux helm-controller v2 and source-controller v1 kinds. Field names and enums follow the
 * upstream CRDs; every object is loose because the controllers own far more fields than we
 * read, and reading must not drop them.
 */

const valuesReferenceShape = {
  kind: z.enum(['Secret', 'ConfigMap']),
  name: z.string().min(1).max(253),
  valuesKey: z
    .string()
    .max(253)
    .regex(/^[\-._a-zA-Z0-9]+$/)
    .optional(),
  targetPath: z
    .string()
    .max(250)
    .regex(/^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/)
    .optional(),
  optional: z.boolean().optional(),
};

/** Flux ValuesReference (`valuesFrom[]`), exactly as we accept it in our own specs. @public */
export const valuesReferenceSchema = z.strictObject(valuesReferenceShape);

/** Flux ValuesReference. @public */
export type ValuesReference = z.infer<typeof valuesReferenceSchema>;

/** Flux's `interval`, `timeout`: a duration such as `10m`. */
const duration = goDuration;

const remediationSchema = z.looseObject({
  retries: z.int().optional(),
  remediateLastFailure: z.boolean().optional(),
  ignoreTestFailures: z.boolean().optional(),
});

/** HelmRelease `spec` (helm.toolkit.fluxcd.io/v2). @public */
export const helmReleaseSpecSchema = z.looseObject({
  chart: z
    .looseObject({
      spec: z.looseObject({
        chart: z.string().min(1).max(2048),
        version: z.string().optional(),
        sourceRef: z.looseObject({
          apiVersion: z.string().optional(),
          kind: z.enum(['HelmRepository', 'GitRepository', 'Bucket']),
          name: z.string().min(1).max(253),
          namespace: z.string().max(63).optional(),
        }),
        interval: duration().optional(),
        reconcileStrategy: z.enum(['ChartVersion', 'Revision']).optional(),
        valuesFiles: z.array(z.string()).optional(),
      }),
    })
    .optional(),
  chartRef: z
    .looseObject({
      apiVersion: z.string().optional(),
      kind: z.enum(['OCIRepository', 'HelmChart', 'ExternalArtifact']),
      name: z.string().min(1).max(253),
      namespace: z.string().max(63).optional(),
    })
    .optional(),
  interval: duration(),
  releaseName: z.string().max(53).optional(),
  targetNamespace: z.string().max(63).optional(),
  storageNamespace: z.string().max(63).optional(),
  serviceAccountName: z.string().max(253).optional(),
  maxHistory: z.int().optional(),
  install: z
    .looseObject({
      remediation: remediationSchema.optional(),
      createNamespace: z.boolean().optional(),
      crds: z.enum(['Skip', 'Create', 'CreateReplace']).optional(),
      timeout: duration().optional(),
    })
    .optional(),
  upgrade: z
    .looseObject({
      remediation: remediationSchema
        .extend({ strategy: z.enum(['rollback', 'uninstall']).optional() })
        .optional(),
      crds: z.enum(['Skip', 'Create', 'CreateReplace']).optional(),
      cleanupOnFail: z.boolean().optional(),
      timeout: duration().optional(),
    })
    .optional(),
  values: z.record(z.string(), z.unknown()).optional(),
  valuesFrom: z.array(z.looseObject(valuesReferenceShape)).optional(),
  suspend: z.boolean().optional(),
  timeout: duration().optional(),
});

/** One release of HelmRelease `status.history` (newest first). @public */
export const helmReleaseSnapshotSchema = z.looseObject({
  apiVersion: z.string().optional(),
  name: z.string(),
  namespace: z.string(),
  version: z.int(),
  status: z.string(),
  chartName: z.string(),
  chartVersion: z.string(),
  appVersion: z.string().optional(),
  configDigest: z.string(),
  digest: z.string(),
  firstDeployed: timestamp(),
  lastDeployed: timestamp(),
  deleted: timestamp().optional(),
  action: z.string().optional(),
  ociDigest: z.string().optional(),
  testHooks: z.record(z.string(), z.unknown()).optional(),
});

/** A release snapshot of HelmRelease `status.history`. @public */
export type HelmReleaseSnapshot = z.infer<typeof helmReleaseSnapshotSchema>;

/** HelmRelease `status`. @public */
export const helmReleaseStatusSchema = z.looseObject({
  observedGeneration: z.int().optional(),
  conditions: z.array(conditionSchema).optional(),
  history: z.array(helmReleaseSnapshotSchema).optional(),
  lastAttemptedRevision: z.string().optional(),
  lastAttemptedRevisionDigest: z.string().optional(),
  lastAttemptedGeneration: z.int().optional(),
  lastAttemptedConfigDigest: z.string().optional(),
  lastAttemptedReleaseAction: z.enum(['install', 'upgrade']).optional(),
  lastHandledReconcileAt: z.string().optional(),
  lastReleaseRevision: z.int().optional(),
  installFailures: z.int().optional(),
  upgradeFailures: z.int().optional(),
  failures: z.int().optional(),
  helmChart: z.string().optional(),
  storageNamespace: z.string().optional(),
});

/** Flux HelmRelease, helm.toolkit.fluxcd.io/v2. @public */
export const helmReleaseSchema = z.looseObject({
  apiVersion: z.literal('helm.toolkit.fluxcd.io/v2'),
  kind: z.literal('HelmRelease'),
  metadata: objectMetaSchema,
  spec: helmReleaseSpecSchema,
  status: helmReleaseStatusSchema.optional(),
});

/** Flux HelmRelease. @public */
export type HelmRelease = z.infer<typeof helmReleaseSchema>;

/** source.toolkit.fluxcd.io/v1 `status.artifact`. @public */
export const artifactSchema = z.looseObject({
  digest: z.string(),
  lastUpdateTime: timestamp(),
  path: z.string(),
  revision: z.string(),
  url: z.string(),
  size: z.int().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** A Flux source artifact. @public */
export type Artifact = z.infer<typeof artifactSchema>;

const sourceStatusSchema = z.looseObject({
  observedGeneration: z.int().optional(),
  conditions: z.array(conditionSchema).optional(),
  artifact: artifactSchema.optional(),
  url: z.string().optional(),
  lastHandledReconcileAt: z.string().optional(),
});

const secretRefSchema = z.looseObject({ name: z.string() });

/** Spec fields HelmRepository and OCIRepository share: how source-controller reaches the source. */
const sourceConnectionFields = {
  timeout: z
    .string()
    .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m))+$/)
    .optional(),
  provider: z.enum(['generic', 'aws', 'azure', 'gcp']).optional(),
  secretRef: secretRefSchema.optional(),
  certSecretRef: secretRefSchema.optional(),
  insecure: z.boolean().optional(),
  suspend: z.boolean().optional(),
};

/** Flux HelmRepository, source.toolkit.fluxcd.io/v1. @public */
export const helmRepositorySchema = z.looseObject({
  apiVersion: z.literal('source.toolkit.fluxcd.io/v1'),
  kind: z.literal('HelmRepository'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    url: z.string().regex(/^(http|https|oci):\/\/.*$/),
    type: z.enum(['default', 'oci']).optional(),
    interval: duration().optional(),
    ...sourceConnectionFields,
    passCredentials: z.boolean().optional(),
  }),
  status: sourceStatusSchema.optional(),
});

/** Flux HelmRepository. @public */
export type HelmRepository = z.infer<typeof helmRepositorySchema>;

/** Flux OCIRepository, source.toolkit.fluxcd.io/v1. @public */
export const ociRepositorySchema = z.looseObject({
  apiVersion: z.literal('source.toolkit.fluxcd.io/v1'),
  kind: z.literal('OCIRepository'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    url: z.string().regex(/^oci:\/\/.*$/),
    ref: z
      .looseObject({
        tag: z.string().optional(),
        semver: z.string().optional(),
        semverFilter: z.string().optional(),
        digest: z.string().optional(),
      })
      .optional(),
    layerSelector: z
      .looseObject({
        mediaType: z.string().optional(),
        operation: z.enum(['extract', 'copy']).optional(),
      })
      .optional(),
    interval: duration(),
    ...sourceConnectionFields,
    serviceAccountName: z.string().optional(),
  }),
  status: sourceStatusSchema.optional(),
});

/** Flux OCIRepository. @public */
export type OCIRepository = z.infer<typeof ociRepositorySchema>;
