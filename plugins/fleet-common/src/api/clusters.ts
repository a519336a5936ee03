import { z } from 'zod';
import { dns1123Label, timestamp } from '../schemas/meta';

/** How the control plane reaches a cluster: the agent connects out (pull) or the backend calls the API (push). @public */
export const clusterModes = ['pull', 'push'] as const;

/** A cluster's connectivity mode. @public */
export type ClusterMode = (typeof clusterModes)[number];

/**
 * Connection states: `pending` before the first contact, `connected` while watches (or the
 * agent's stream) are healthy, `degraded` while some of them fail, `unreachable` when none work.
 * @public
 */
export const connectionStates = [
  'pending',
  'connected',
  'degraded',
  'unreachable',
] as const;

/** A cluster's connection state. @public */
export type ConnectionState = (typeof connectionStates)[number];

/** The connection of the control plane to one cluster. @public */
export const clusterConnectionSchema = z.object({
  state: z.enum(connectionStates),
  /** When the state last changed. */
  since: timestamp(),
  /** When the cluster was last heard from (a list, a watch event, a bookmark, an agent message). */
  lastSeen: timestamp().optional(),
  /** The last error, with no credential in it. */
  error: z.string().optional(),
});

/** The connection of the control plane to one cluster. @public */
export type ClusterConnection = z.infer<typeof clusterConnectionSchema>;

/** A cluster of the fleet as the API shows it. @public */
export const clusterSummarySchema = z.object({
  name: dns1123Label(),
  title: z.string(),
  mode: z.enum(clusterModes),
  labels: z.record(z.string(), z.string()),
  connection: clusterConnectionSchema,
  /** Number of ApplicationInstances the store holds for this cluster. */
  instanceCount: z.number().int().nonnegative(),
});

/** A cluster of the fleet as the API shows it. @public */
export type ClusterSummary = z.infer<typeof clusterSummarySchema>;
