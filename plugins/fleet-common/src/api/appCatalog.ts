import { z } from 'zod';
import {
  backupMaxAgeAnnotation,
  capabilityAnnotationFor,
  capabilityAnnotations,
} from '../schemas/capabilities';
import { dns1123Label, semver } from '../schemas/meta';
import {
  allowedEnginesByType,
  chartRepositoryTypes,
  operationEngines,
  operationTypes,
} from '../schemas/vocabulary';

/** The annotation domain of capabilities: `ops.vworkspace.io/<capability>`. */
const capabilityPrefix = 'ops.vworkspace.io/';

/**
 * Capability names an app template may declare, e.g. `backup` for the annotation
 * `ops.vworkspace.io/backup`.
 * @public
 */
export const appCapabilityNames: ReadonlyArray<string> = Object.values(
  capabilityAnnotations,
).map(annotation => annotation.slice(capabilityPrefix.length));

/**
 * An operation an app's template offers: which engine runs it, its parameters as JSON Schema
 * (defaults included, so a form can be generated from it), and what must hold before it runs.
 * @public
 */
export const appOperationTemplateSchema = z.strictObject({
  type: z.enum(operationTypes),
  engine: z.enum(operationEngines),
  title: z.string().min(1).optional(),
  description: z.string().optional(),
  /** JSON Schema (draft-07) of `parameters`. */
  parameters: z
    .record(z.string(), z.unknown())
    .default({ type: 'object', properties: {} }),
  /** Conditions the instance must meet, e.g. `ready` or `hasSuccessfulBackup`. */
  preconditions: z.array(z.enum(['ready', 'hasSuccessfulBackup'])).default([]),
  /** RBAC profile a job or workflow runs as. */
  rbacProfile: dns1123Label().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
});

/** An operation an app's template offers. @public */
export type AppOperationTemplate = z.infer<typeof appOperationTemplateSchema>;

/** A curated app of the app catalog. @public */
export const appTemplateSchema = z
  .strictObject({
    id: dns1123Label(),
    title: z.string().min(1),
    description: z.string().default(''),
    icon: z.string().optional(),
    links: z
      .array(z.strictObject({ url: z.string().url(), title: z.string() }))
      .default([]),
    chart: z.strictObject({
      name: z.string().min(1),
      repository: z.strictObject({
        url: z
          .string()
          .regex(/^(https?|oci):\/\/.+$/, {
            message: 'must be an http(s):// or oci:// URL',
          }),
        type: z.enum(chartRepositoryTypes).default('helm'),
      }),
      /** Versions offered for install and upgrade, newest first. */
      versions: z.array(semver()).min(1),
    }),
    defaultValues: z.record(z.string(), z.unknown()).default({}),
    /** Capability annotations put on each instance (`ops.vworkspace.io/<capability>: <engine>`). */
    capabilities: z.record(z.string(), z.enum(operationEngines)).default({}),
    backupPolicy: z
      .strictObject({
        /** Oldest acceptable successful backup, as a Go duration (e.g. 24h). */
        maxAge: z
          .string()
          .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, {
            message: 'must be a duration such as 24h or 90m',
          }),
      })
      .optional(),
    operations: z.array(appOperationTemplateSchema).default([]),
  })
  // Cross-field rules, so that a catalog never offers an operation the operator would refuse:
  // the operator accepts an Operation only if the engine may run its type and the instance's
  // capability annotation for that type names the same engine.
  .superRefine((app, ctx) => {
    for (const name of Object.keys(app.capabilities)) {
      if (!appCapabilityNames.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['capabilities', name],
          message: `unknown capability; expected one of ${appCapabilityNames.join(
            ', ',
          )}`,
        });
      }
    }
    app.operations.forEach((operation, index) => {
      if (!allowedEnginesByType[operation.type].includes(operation.engine)) {
        ctx.addIssue({
          code: 'custom',
          path: ['operations', index, 'engine'],
          message: `engine ${operation.engine} cannot run ${
            operation.type
          }; allowed: ${allowedEnginesByType[operation.type].join(', ')}`,
        });
        return;
      }
      const capability = capabilityAnnotationFor(operation.type).slice(
        capabilityPrefix.length,
      );
      const declared = app.capabilities[capability];
      if (declared !== operation.engine) {
        ctx.addIssue({
          code: 'custom',
          path: ['operations', index, 'engine'],
          message: declared
            ? `${operation.type} runs with ${declared} (capabilities.${capability}), not ${operation.engine}`
            : `${operation.type} needs capabilities.${capability}: ${operation.engine}, or the operator refuses it`,
        });
      }
    });
    const offered = new Set(app.chart.versions);
    if (offered.size !== app.chart.versions.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['chart', 'versions'],
        message: 'lists a version twice',
      });
    }
  });

/** A curated app of the app catalog. @public */
export type AppTemplate = z.infer<typeof appTemplateSchema>;

/** One app catalog file: a list of apps. @public */
export const appCatalogFileSchema = z.strictObject({
  apps: z.array(appTemplateSchema),
});

/**
 * The annotations an instance of `app` carries: one capability annotation per declared
 * capability (`ops.vworkspace.io/<capability>: <engine>`) and the backup policy, if any.
 * @public
 */
export function appInstanceAnnotations(
  app: AppTemplate,
): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [capability, engine] of Object.entries(app.capabilities)) {
    annotations[`${capabilityPrefix}${capability}`] = engine;
  }
  if (app.backupPolicy)
    annotations[backupMaxAgeAnnotation] = app.backupPolicy.maxAge;
  return annotations;
}

/** The instance an operation template is applied to. @public */
export interface OperationTemplateTarget {
  name: string;
  namespace: string;
}

const templatePlaceholder = /\$\{instance\.(name|namespace)\}/g;

/**
 * The parameters a template's form starts with: the `default` of each top-level property of
 * its JSON Schema. String defaults may name the target as `${instance.name}` or
 * `${instance.namespace}` (a chart hook is named after the Helm release, which is the
 * instance), and are resolved here.
 * @public
 */
export function operationTemplateDefaults(
  template: AppOperationTemplate,
  target: OperationTemplateTarget,
): Record<string, unknown> {
  const properties = template.parameters.properties;
  const defaults: Record<string, unknown> = {};
  if (typeof properties !== 'object' || properties === null) return defaults;
  for (const [key, property] of Object.entries(
    properties as Record<string, unknown>,
  )) {
    if (
      typeof property !== 'object' ||
      property === null ||
      !('default' in property)
    )
      continue;
    defaults[key] = resolvePlaceholders(
      (property as { default: unknown }).default,
      target,
    );
  }
  return defaults;
}

function resolvePlaceholders(
  value: unknown,
  target: OperationTemplateTarget,
): unknown {
  if (typeof value === 'string') {
    return value.replace(
      templatePlaceholder,
      (_, field: 'name' | 'namespace') => target[field],
    );
  }
  if (Array.isArray(value))
    return value.map(item => resolvePlaceholders(item, target));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        resolvePlaceholders(v, target),
      ]),
    );
  }
  return value;
}
