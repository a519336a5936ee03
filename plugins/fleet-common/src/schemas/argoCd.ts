import { z } from 'zod';
import { objectMetaSchema, timestamp } from './meta';

/** Argo CD sync statuses. @public */
export const argoCdSyncStatuses = ['Synced', 'OutOfSync', 'Unknown'] as const;

/** Argo CD health statuses. @public */
export const argoCdHealthStatuses = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;

/** Argo CD operation phases. @public */
export const argoCdOperationPhases = [
  'Running',
  'Terminating',
  'Failed',
  'Error',
  'Succeeded',
] as const;

/** `spec.source` of an Argo CD Application, for a Helm chart source. @public */
export const argoCdApplicationSourceSchema = z.looseObject({
  repoURL: z.string().min(1),
  chart: z.string().optional(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  helm: z
    .looseObject({
      releaseName: z.string().optional(),
      values: z.string().optional(),
      valuesObject: z.record(z.string(), z.unknown()).optional(),
      valueFiles: z.array(z.string()).optional(),
      skipCrds: z.boolean().optional(),
    })
    .optional(),
});

/** Argo CD Application, argoproj.io/v1alpha1. @public */
export const argoCdApplicationSchema = z.looseObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('Application'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    project: z.string(),
    source: argoCdApplicationSourceSchema.optional(),
    destination: z.looseObject({
      server: z.string().optional(),
      name: z.string().optional(),
      namespace: z.string().optional(),
    }),
    syncPolicy: z
      .looseObject({
        automated: z
          .looseObject({
            prune: z.boolean().optional(),
            selfHeal: z.boolean().optional(),
            allowEmpty: z.boolean().optional(),
            enabled: z.boolean().optional(),
          })
          .optional(),
        syncOptions: z.array(z.string()).optional(),
        retry: z.looseObject({ limit: z.int().optional() }).optional(),
      })
      .optional(),
  }),
  status: z
    .looseObject({
      sync: z
        .looseObject({
          status: z.enum(argoCdSyncStatuses),
          revision: z.string().optional(),
        })
        .optional(),
      health: z
        .looseObject({
          status: z.enum(argoCdHealthStatuses).optional(),
          message: z.string().optional(),
        })
        .optional(),
      operationState: z
        .looseObject({
          phase: z.enum(argoCdOperationPhases),
          message: z.string().optional(),
          startedAt: timestamp(),
          finishedAt: timestamp().optional(),
          syncResult: z.looseObject({ revision: z.string() }).optional(),
        })
        .optional(),
      conditions: z
        .array(
          z.looseObject({
            type: z.string(),
            message: z.string(),
            lastTransitionTime: timestamp().optional(),
          }),
        )
        .optional(),
      reconciledAt: timestamp().optional(),
    })
    .optional(),
});

/** Argo CD Application. @public */
export type ArgoCdApplication = z.infer<typeof argoCdApplicationSchema>;
