import { z } from 'zod';
import { conditionList } from './conditions';
import { valuesReferenceSchema } from './flux';
import {
  dns1123Label,
  freeForm,
  goDuration,
  objectMetaSchema,
  semver,
  timestamp,
} from './meta';
import { applicationEngines, chartRepositoryTypes } from './vocabulary';

/** API group/version of ApplicationInstance. @public */
export const applicationInstanceApiVersion = 'apps.vworkspace.io/v1alpha1';

/** Chart repository of an ApplicationInstance. @public */
export const chartRepositorySchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^(https?|oci):\/\/.+$/, {
        message: 'must be an http(s):// or oci:// URL',
      })
      .describe(
        'Chart repository URL: https:// for a Helm repository, oci:// for a registry.',
      ),
    type: z
      .enum(chartRepositoryTypes)
      .default('helm')
      .describe('helm (index.yaml repository) or oci (OCI registry).'),
  })
  .superRefine((repo, ctx) => {
    const oci = repo.url.startsWith('oci://');
    if (oci !== (repo.type === 'oci')) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `an ${repo.type} repository needs ${
          repo.type === 'oci' ? 'an oci://' : 'an http(s)://'
        } URL`,
      });
    }
  });

/** ApplicationInstance `spec`: the only source of intent for an instance. @public */
export const applicationInstanceSpecSchema = z.strictObject({
  app: dns1123Label().describe('Id of the app in the app catalog.'),
  engine: z
    .enum(applicationEngines)
    .default('flux')
    .describe(
      'What deploys the chart: flux (HelmRelease) or argocd (Application).',
    ),
  chart: z.strictObject({
    name: z
      .string()
      .min(1)
      .max(250)
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, {
        message: 'must be a chart name',
      })
      .describe('Chart name in the repository.'),
    version: semver().describe('Exact chart version to run.'),
    repository: chartRepositorySchema,
  }),
  values: freeForm()
    .optional()
    .describe('Helm values, passed to HelmRelease.spec.values.'),
  valuesFrom: z
    .array(valuesReferenceSchema)
    .optional()
    .describe('Values from Secrets and ConfigMaps, as Flux valuesFrom.'),
  interval: goDuration()
    .default('10m')
    .describe('Reconcile interval of the Helm release.'),
  suspend: z.boolean().default(false).describe('Stop reconciling the release.'),
});

/** ApplicationInstance `spec`. @public */
export type ApplicationInstanceSpec = z.infer<
  typeof applicationInstanceSpecSchema
>;

/**
 * ApplicationInstance `status`, written by the operator. Not loose: the CRD prunes what it
 * does not know, so a reader never meets unknown status fields anyway.
 * @public
 */
export const applicationInstanceStatusSchema = z.object({
  observedGeneration: z.int().min(0).optional(),
  conditions: conditionList().optional(),
  chart: z
    .object({
      version: z.string().optional(),
      appVersion: z.string().optional(),
    })
    .optional()
    .describe('What is actually deployed.'),
  lastAppliedRevision: z.string().optional(),
  lastAttemptedRevision: z.string().optional(),
  release: z
    .object({
      kind: z.enum(['HelmRelease', 'Application']),
      name: z.string(),
      namespace: z.string(),
    })
    .optional()
    .describe('The child that deploys the chart.'),
  lastBackup: z
    .object({
      operation: z.string(),
      completedAt: timestamp(),
    })
    .optional()
    .describe('Newest successful Backup operation.'),
});

/** ApplicationInstance `status`. @public */
export type ApplicationInstanceStatus = z.infer<
  typeof applicationInstanceStatusSchema
>;

/**
 * ApplicationInstance, apps.vworkspace.io/v1alpha1. The name becomes the Helm release name,
 * hence a DNS-1123 label of at most 53 characters.
 * @public
 */
export const applicationInstanceSchema = z.looseObject({
  apiVersion: z.literal(applicationInstanceApiVersion),
  kind: z.literal('ApplicationInstance'),
  metadata: objectMetaSchema.extend({
    name: dns1123Label(53),
    namespace: dns1123Label().optional(),
  }),
  spec: applicationInstanceSpecSchema,
  status: applicationInstanceStatusSchema.optional(),
});

/** ApplicationInstance. @public */
export type ApplicationInstance = z.infer<typeof applicationInstanceSchema>;
