import { z } from 'zod';
import { objectMetaSchema, timestamp } from './meta';

/** batch/v1 Job condition types. @public */
export const jobConditionTypes = [
  'Complete',
  'Failed',
  'SuccessCriteriaMet',
  'FailureTarget',
  'Suspended',
] as const;

const containerSchema = z.looseObject({
  name: z.string(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z
    .array(
      z.looseObject({
        name: z.string(),
        value: z.string().optional(),
        valueFrom: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
});

/**
 * batch/v1 Job, the fields the job and helmHookJob engines use. `apiVersion` and `kind` are
 * optional because list responses of built-in kinds leave them out of each item.
 * @public
 */
export const jobSchema = z.looseObject({
  apiVersion: z.literal('batch/v1').optional(),
  kind: z.literal('Job').optional(),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    template: z.looseObject({
      metadata: objectMetaSchema.optional(),
      spec: z.looseObject({
        containers: z.array(containerSchema).min(1),
        serviceAccountName: z.string().optional(),
        restartPolicy: z.enum(['Never', 'OnFailure', 'Always']).optional(),
      }),
    }),
    backoffLimit: z.int().min(0).optional(),
    activeDeadlineSeconds: z.int().min(1).optional(),
    ttlSecondsAfterFinished: z.int().min(0).optional(),
    suspend: z.boolean().optional(),
  }),
  status: z
    .looseObject({
      conditions: z
        .array(
          z.looseObject({
            type: z.enum(jobConditionTypes),
            status: z.enum(['True', 'False', 'Unknown']),
            reason: z.string().optional(),
            message: z.string().optional(),
            lastProbeTime: timestamp().optional(),
            lastTransitionTime: timestamp().optional(),
          }),
        )
        .optional(),
      active: z.int().optional(),
      succeeded: z.int().optional(),
      failed: z.int().optional(),
      ready: z.int().optional(),
      terminating: z.int().optional(),
      startTime: timestamp().optional(),
      completionTime: timestamp().optional(),
    })
    .optional(),
});

/** batch/v1 Job. @public */
export type Job = z.infer<typeof jobSchema>;
