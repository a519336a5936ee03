import { z } from 'zod';
import { conditionSchema } from './conditions';
import { objectMetaSchema, timestamp } from './meta';

/** VolSync ReplicationSource, volsync.backube/v1alpha1 (the fields a manual sync uses). @public */
export const replicationSourceSchema = z.looseObject({
  apiVersion: z.literal('volsync.backube/v1alpha1'),
  kind: z.literal('ReplicationSource'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    sourcePVC: z.string().optional(),
    trigger: z
      .looseObject({
        manual: z.string().optional(),
        schedule: z.string().optional(),
      })
      .optional(),
    paused: z.boolean().optional(),
  }),
  status: z
    .looseObject({
      lastManualSync: z.string().optional(),
      lastSyncTime: timestamp().optional(),
      lastSyncDuration: z.string().optional(),
      nextSyncTime: timestamp().optional(),
      conditions: z.array(conditionSchema).optional(),
    })
    .optional(),
});

/** VolSync ReplicationSource. @public */
export type ReplicationSource = z.infer<typeof replicationSourceSchema>;
