import { z } from 'zod';
import { dns1123Label, dns1123Subdomain } from '../schemas/meta';
import { clusterSummarySchema } from './clusters';

/** Body of `POST /clusters`: registers a pull cluster. @public */
export const registerClusterRequestSchema = z.strictObject({
  name: dns1123Label(),
  title: z.string().min(1).max(200).optional(),
  labels: z.record(z.string().min(1).max(317), z.string().max(63)).optional(),
});

/** Body of `POST /clusters`. @public */
export type RegisterClusterRequest = z.infer<typeof registerClusterRequestSchema>;

/**
 * Answer of `POST /clusters` and `POST /clusters/:name/token`: the join token, shown this once
 * (the backend keeps only its hash).
 * @public
 */
export const joinTokenResponseSchema = z.object({
  cluster: clusterSummarySchema,
  token: z.string(),
});

/** Answer of `POST /clusters` and `POST /clusters/:name/token`. @public */
export type JoinTokenResponse = z.infer<typeof joinTokenResponseSchema>;

/** Field manager of everything the control plane writes into a cluster (the agent applies with it). @public */
export const controlPlaneFieldManager = 'vworkspace-control-plane';

/** Names an object of the agent's cluster. @public */
export const agentObjectRefSchema = z.strictObject({
  namespace: dns1123Label(),
  name: dns1123Subdomain(),
});

/**
 * An ApplicationInstance or Operation as an agent reports it: the Kubernetes object, checked
 * for what the store indexes by (kind, namespace, name); the rest is kept as the cluster has it.
 * @public
 */
export function reportedObjectSchema<K extends string>(apiVersion: string, kind: K) {
  return z.looseObject({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata: z.looseObject({
      name: dns1123Subdomain(),
      namespace: dns1123Label(),
      uid: z.string().optional(),
      resourceVersion: z.string().optional(),
      creationTimestamp: z.string().optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      labels: z.record(z.string(), z.string()).optional(),
    }),
    spec: z.record(z.string(), z.unknown()),
    status: z.record(z.string(), z.unknown()).optional(),
  });
}

/** Most objects of one kind in one report. @public */
export const maxReportedObjects = 5000;

/**
 * Body of `POST /agent/v1/report`. `snapshot: true` is the full state of the cluster (it
 * replaces the control plane's view: whatever it does not name is gone); otherwise the objects
 * are changes and `deleted` names what is gone.
 * @public
 */
export const agentReportSchema = z.strictObject({
  cluster: dns1123Label(),
  snapshot: z.boolean(),
  instances: z.array(reportedObjectSchema('apps.vworkspace.io/v1alpha1', 'ApplicationInstance')).max(maxReportedObjects),
  operations: z.array(reportedObjectSchema('ops.vworkspace.io/v1alpha1', 'Operation')).max(maxReportedObjects),
  deleted: z
    .strictObject({
      instances: z.array(agentObjectRefSchema).max(maxReportedObjects).default([]),
      operations: z.array(agentObjectRefSchema).max(maxReportedObjects).default([]),
    })
    .optional(),
});

/** Body of `POST /agent/v1/report`. @public */
export type AgentReport = z.input<typeof agentReportSchema>;

/**
 * Body of `POST /agent/v1/ack`: the outcome of applying one intent (by its sequence number):
 * the resulting object's uid and resourceVersion, or the error the cluster gave.
 * @public
 */
export const agentAckSchema = z.union([
  z.strictObject({
    cluster: dns1123Label(),
    seq: z.number().int().positive(),
    uid: z.string().min(1).max(128),
    resourceVersion: z.string().min(1).max(128),
  }),
  z.strictObject({
    cluster: dns1123Label(),
    seq: z.number().int().positive(),
    error: z.string().min(1).max(4096),
  }),
]);

/** Body of `POST /agent/v1/ack`. @public */
export type AgentAck = z.infer<typeof agentAckSchema>;

/** Query of `GET /agent/v1/stream`. `cursor`: the last sequence number the agent has applied. @public */
export const agentStreamQuerySchema = z.strictObject({
  cluster: dns1123Label(),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, { message: 'must be a sequence number (a non-negative integer)' })
    .optional(),
});

/**
 * One line of the agent stream (newline-delimited JSON): intent to apply, a heartbeat, or the
 * end of the stream with the reason (e.g. 401 when the join token was revoked).
 * @public
 */
export const agentStreamMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('apply'),
    seq: z.number().int().positive(),
    object: reportedObjectSchema('ops.vworkspace.io/v1alpha1', 'Operation'),
  }),
  z.strictObject({
    // a new ApplicationInstance or a change to one (e.g. a campaign's chart version): applied with
    // server-side apply; `force` takes fields another manager owns (a refusal is acknowledged otherwise)
    type: z.literal('applyInstance'),
    seq: z.number().int().positive(),
    object: reportedObjectSchema('apps.vworkspace.io/v1alpha1', 'ApplicationInstance'),
    force: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('cancel'),
    seq: z.number().int().positive(),
    operation: agentObjectRefSchema,
  }),
  z.strictObject({ type: z.literal('heartbeat'), cursor: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('end'), status: z.number().int(), message: z.string() }),
]);

/** One line of the agent stream. @public */
export type AgentStreamMessage = z.infer<typeof agentStreamMessageSchema>;

/** Intent the outbox holds for a pull cluster. @public */
export type AgentIntent = Extract<AgentStreamMessage, { type: 'apply' | 'applyInstance' | 'cancel' }>;
