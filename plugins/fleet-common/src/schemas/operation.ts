import { z } from 'zod';
import { conditionList } from './conditions';
import {
  dns1123Label,
  dns1123Subdomain,
  freeForm,
  objectMetaSchema,
  timestamp,
} from './meta';
import { operationParametersSchema } from './operationParameters';
import {
  allowedEnginesByType,
  operationEngines,
  operationPhases,
  operationTypes,
} from './vocabulary';

/** API group/version of Operation. @public */
export const operationApiVersion = 'ops.vworkspace.io/v1alpha1';

const operationSpecShape = {
  type: z.enum(operationTypes).describe('What to do.'),
  engine: z.enum(operationEngines).describe('Which engine does it.'),
  target: z.strictObject({
    applicationInstance: dns1123Label(53).describe(
      'Name of the ApplicationInstance, in the namespace of the Operation.',
    ),
  }),
  parameters: freeForm()
    .default({})
    .describe("Engine parameters, validated by the engine's schema."),
  timeoutSeconds: z
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional()
    .describe(
      "Deadline of the whole operation, from creation; default the engine's own (job 1 h, velero 4 h, ...).",
    ),
  requestedBy: z
    .string()
    .max(256)
    .optional()
    .describe("Entity ref of the requester, set from the caller's identity."),
  reason: z
    .string()
    .max(1024)
    .optional()
    .describe('Why, in the words of the requester.'),
  cancel: z
    .boolean()
    .optional()
    .describe(
      'Set to true to cancel. The only field that may change after creation, and only towards true.',
    ),
};

/**
 * CEL rules that keep every spec field but `cancel` as created, and keep a cancel once asked
 * for. Built from the shape so that a field added later is immutable without anyone
 * remembering to list it. `has()` on both sides, so adding or removing an optional field
 * counts as a change.
 */
const immutabilityRules = [
  {
    rule: Object.keys(operationSpecShape)
      .filter(key => key !== 'cancel')
      .map(
        key =>
          `has(self.${key}) == has(oldSelf.${key}) && (!has(self.${key}) || self.${key} == oldSelf.${key})`,
      )
      .join(' && '),
    message: 'spec is immutable, except cancel',
  },
  {
    rule: '!has(oldSelf.cancel) || !oldSelf.cancel || (has(self.cancel) && self.cancel)',
    message: 'cancel cannot be withdrawn',
  },
];

/**
 * Operation `spec`. Immutable after creation, except `cancel`. Parsing also checks that the
 * engine may run the type, and validates `parameters` against that engine's schema (paths
 * `parameters.*`).
 * @public
 */
export const operationSpecSchema = z
  .strictObject(operationSpecShape)
  .superRefine((spec, ctx) => {
    if (!allowedEnginesByType[spec.type].includes(spec.engine)) {
      ctx.addIssue({
        code: 'custom',
        path: ['engine'],
        message: `engine ${spec.engine} cannot run ${
          spec.type
        }; allowed: ${allowedEnginesByType[spec.type].join(', ')}`,
      });
      return;
    }
    const parsed = operationParametersSchema(spec.type, spec.engine).safeParse(
      spec.parameters,
    );
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, path: ['parameters', ...issue.path] });
      }
    }
  })
  .meta({ 'x-kubernetes-validations': immutabilityRules });

/** Operation `spec`. @public */
export type OperationSpec = z.infer<typeof operationSpecSchema>;

/** Operation `status`, written by the operator. @public */
export const operationStatusSchema = z.object({
  phase: z.enum(operationPhases).optional(),
  conditions: conditionList().optional(),
  observedGeneration: z.int().min(0).optional(),
  startedAt: timestamp().optional(),
  completedAt: timestamp().optional(),
  message: z.string().optional(),
  engineRef: z
    .object({
      apiVersion: z.string(),
      kind: z.string(),
      name: z.string(),
      namespace: z.string().optional(),
    })
    .optional()
    .describe('The engine resource this operation produced.'),
  engineStatus: z
    .looseObject({
      phase: z.string().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
    })
    .optional()
    .describe("The engine's own status, unmapped."),
  result: freeForm()
    .optional()
    .describe('e.g. backupName, snapshotName, fromVersion, toVersion'),
});

/** Operation `status`. @public */
export type OperationStatus = z.infer<typeof operationStatusSchema>;

/**
 * Operation, ops.vworkspace.io/v1alpha1, in the namespace of its target. The name may be left
 * to `generateName` on create; the API server always returns one.
 * @public
 */
export const operationSchema = z.looseObject({
  apiVersion: z.literal(operationApiVersion),
  kind: z.literal('Operation'),
  metadata: objectMetaSchema.extend({
    name: dns1123Subdomain().optional(),
    namespace: dns1123Label().optional(),
  }),
  spec: operationSpecSchema,
  status: operationStatusSchema.optional(),
});

/** Operation. @public */
export type Operation = z.infer<typeof operationSchema>;
