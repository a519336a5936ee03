import { z } from 'zod';
import { clusterSummarySchema } from './clusters';
import { instanceSummarySchema } from './instances';
import { operationSummarySchema } from './operations';

/**
 * One change of the fleet, as the change feed and the `GET /events` Server-Sent Events stream
 * carry it. `id` increases monotonically per backend process and is the SSE resume id.
 * @public
 */
export const fleetEventSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.number().int(),
    kind: z.literal('instance'),
    action: z.enum(['upsert', 'delete']),
    instance: instanceSummarySchema,
  }),
  z.object({
    id: z.number().int(),
    kind: z.literal('operation'),
    action: z.enum(['upsert', 'delete']),
    operation: operationSummarySchema,
  }),
  z.object({
    id: z.number().int(),
    kind: z.literal('cluster'),
    action: z.enum(['upsert', 'delete']),
    cluster: clusterSummarySchema,
  }),
]);

/** One change of the fleet. @public */
export type FleetEvent = z.infer<typeof fleetEventSchema>;
