import { z } from 'zod';
import { objectMetaSchema, timestamp } from './meta';

/** CSI VolumeSnapshot, snapshot.storage.k8s.io/v1. @public */
export const volumeSnapshotSchema = z.looseObject({
  apiVersion: z.literal('snapshot.storage.k8s.io/v1'),
  kind: z.literal('VolumeSnapshot'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    source: z.looseObject({
      persistentVolumeClaimName: z.string().optional(),
      volumeSnapshotContentName: z.string().optional(),
    }),
    volumeSnapshotClassName: z.string().optional(),
  }),
  status: z
    .looseObject({
      readyToUse: z.boolean().optional(),
      creationTime: timestamp().optional(),
      restoreSize: z.string().optional(),
      boundVolumeSnapshotContentName: z.string().optional(),
      error: z
        .looseObject({
          time: timestamp().optional(),
          message: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
});

/** CSI VolumeSnapshot. @public */
export type VolumeSnapshot = z.infer<typeof volumeSnapshotSchema>;
