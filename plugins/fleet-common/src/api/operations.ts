import { z } from 'zod';
import { dns1123Label, timestamp } from '../schemas/meta';
import {
  operationEngines,
  operationPhases,
  operationTypes,
} from '../schemas/vocabulary';

/**
 * Where an Operation stands on its way to the cluster: `pending` while intent waits in the
 * outbox of a pull cluster, `delivered` once the cluster holds the object, `failed` when the
 * cluster refused it (the error says why).
 * @public
 */
export const deliveryStates = ['pending', 'delivered', 'failed'] as const;

/** An Operation's delivery state. @public */
export type DeliveryState = (typeof deliveryStates)[number];

/** A lean view of an Operation. @public */
export const operationSummarySchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: z.string().optional(),
  type: z.enum(operationTypes),
  engine: z.enum(operationEngines).optional(),
  instance: z.string(),
  /** Undefined until the operator has looked at it. */
  phase: z.enum(operationPhases).optional(),
  requestedBy: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  /** Reason of the Accepted condition when it is not True (e.g. TargetBusy). */
  admission: z
    .object({ status: z.string(), reason: z.string().optional(), message: z.string().optional() })
    .optional(),
  createdAt: timestamp().optional(),
  startedAt: timestamp().optional(),
  completedAt: timestamp().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  engineStatus: z
    .object({
      phase: z.string().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
    })
    .optional(),
  delivery: z
    .object({ state: z.enum(deliveryStates), error: z.string().optional() })
    .optional(),
  stale: z.boolean(),
});

/** A lean view of an Operation. @public */
export type OperationSummary = z.infer<typeof operationSummarySchema>;

/** Query of `GET /operations`. @public */
export const operationQuerySchema = z.strictObject({
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  instance: z.string().min(1).optional(),
  type: z.enum(operationTypes).optional(),
  phase: z.enum(operationPhases).optional(),
  limit: z.coerce.number<string | number>().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
});

/** Query of `GET /operations`. @public */
export type OperationQuery = z.input<typeof operationQuerySchema>;

/** Body of `POST /operations`. @public */
export const createOperationRequestSchema = z.strictObject({
  cluster: dns1123Label(),
  namespace: dns1123Label(),
  instance: z.string().min(1).max(253),
  type: z.enum(operationTypes),
  /** Defaults to the engine the app's template names for this type. */
  engine: z.enum(operationEngines).optional(),
  parameters: z.record(z.string(), z.unknown()).default({}),
  reason: z.string().max(1024).optional(),
  timeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  /** A retried request with the same key returns the same Operation. */
  idempotencyKey: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, {
      message: 'may contain only letters, digits and . _ : -',
    })
    .optional(),
});

/** Body of `POST /operations`. @public */
export type CreateOperationRequest = z.input<typeof createOperationRequestSchema>;
