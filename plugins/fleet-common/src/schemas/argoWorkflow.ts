import { z } from 'zod';
import { objectMetaSchema, timestamp } from './meta';

/** Argo Workflow phases; an empty or absent phase means not yet picked up. @public */
export const argoWorkflowPhases = [
  '',
  'Pending',
  'Running',
  'Succeeded',
  'Failed',
  'Error',
] as const;

/** An Argo Workflow phase. @public */
export type ArgoWorkflowPhase = (typeof argoWorkflowPhases)[number];

/** Argo Workflow, argoproj.io/v1alpha1. @public */
export const argoWorkflowSchema = z.looseObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('Workflow'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    workflowTemplateRef: z
      .looseObject({ name: z.string(), clusterScope: z.boolean().optional() })
      .optional(),
    entrypoint: z.string().optional(),
    arguments: z
      .looseObject({
        parameters: z
          .array(
            z.looseObject({
              name: z.string().regex(/^[-a-zA-Z0-9_]+$/),
              value: z.string().optional(),
            }),
          )
          .optional(),
      })
      .optional(),
    serviceAccountName: z.string().optional(),
    activeDeadlineSeconds: z.int().optional(),
    shutdown: z.enum(['Terminate', 'Stop']).optional(),
    suspend: z.boolean().optional(),
  }),
  status: z
    .looseObject({
      phase: z.enum(argoWorkflowPhases).optional(),
      startedAt: timestamp().nullable().optional(),
      finishedAt: timestamp().nullable().optional(),
      message: z.string().optional(),
      progress: z.string().optional(),
    })
    .optional(),
});

/** Argo Workflow. @public */
export type ArgoWorkflow = z.infer<typeof argoWorkflowSchema>;
