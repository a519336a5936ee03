import { z } from 'zod';
import { conditionSchema } from '../schemas/conditions';
import { dns1123Label, dns1123Subdomain, timestamp } from '../schemas/meta';
import { applicationEngines } from '../schemas/vocabulary';
import { operationSummarySchema } from './operations';

/**
 * The one status word the fleet shows for an instance, derived from its conditions:
 * Ready, Progressing (working towards the spec), Failed (the child reports a failure),
 * Stalled (a wait passed its deadline or the spec is invalid), Unknown (no status yet).
 * @public
 */
export const instanceStatuses = [
  'Ready',
  'Progressing',
  'Failed',
  'Stalled',
  'Unknown',
] as const;

/** An instance's status word. @public */
export type InstanceStatus = (typeof instanceStatuses)[number];

/** A lean view of an ApplicationInstance: what lists, filters and the catalog need. @public */
export const instanceSummarySchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  /** Catalog entity ref, from the shared naming rule. */
  entityRef: z.string(),
  app: z.string(),
  engine: z.enum(applicationEngines),
  /** From the instance's `backstage.io/owner` annotation, when it has one. */
  owner: z.string().optional(),
  chart: z.object({
    name: z.string(),
    /** Version the spec asks for. */
    version: z.string(),
    /** Version actually deployed, when known. */
    deployedVersion: z.string().optional(),
    appVersion: z.string().optional(),
  }),
  status: z.enum(instanceStatuses),
  /** Reason and message of the condition that decided the status. */
  reason: z.string().optional(),
  message: z.string().optional(),
  /** Operation types the instance's capability annotations allow, with their engines. */
  capabilities: z.record(z.string(), z.string()),
  lastBackup: z
    .object({ operation: z.string(), completedAt: timestamp() })
    .optional(),
  generation: z.number().int().optional(),
  observedGeneration: z.number().int().optional(),
  createdAt: timestamp().optional(),
  /** True while the cluster is unreachable: this is the last state seen, not the current one. */
  stale: z.boolean(),
});

/** A lean view of an ApplicationInstance. @public */
export type InstanceSummary = z.infer<typeof instanceSummarySchema>;

/** One instance in full: its summary, spec, conditions and recent operations. @public */
export const instanceDetailSchema = z.object({
  summary: instanceSummarySchema,
  spec: z.record(z.string(), z.unknown()),
  conditions: z.array(conditionSchema),
  annotations: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()),
  release: z
    .object({ kind: z.string(), name: z.string(), namespace: z.string() })
    .optional(),
  /** Newest first. */
  operations: z.array(operationSummarySchema),
});

/** One instance in full. @public */
export type InstanceDetail = z.infer<typeof instanceDetailSchema>;

/** A page of a list, with the cursor of the next page when there is one. @public */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    totalCount: z.number().int().nonnegative(),
    nextCursor: z.string().optional(),
  });
}

/** A page of instance summaries. @public */
export const instancePageSchema = pageSchema(instanceSummarySchema);

/** A page of instance summaries. @public */
export type InstancePage = z.infer<typeof instancePageSchema>;

/** A page of operation summaries, the answer of `GET /operations`. @public */
export const operationPageSchema = pageSchema(operationSummarySchema);

/** A page of operation summaries, the answer of `GET /operations`. @public */
export type OperationPage = z.infer<typeof operationPageSchema>;

/** Query of `GET /instances`. @public */
export const instanceQuerySchema = z.strictObject({
  cluster: z.string().min(1).optional(),
  app: z.string().min(1).optional(),
  status: z.enum(instanceStatuses).optional(),
  owner: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  /** Case-insensitive substring of name, namespace, cluster, app or owner. */
  q: z.string().max(200).optional(),
  limit: z.coerce.number<string | number>().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
});

/** Query of `GET /instances`. @public */
export type InstanceQuery = z.input<typeof instanceQuerySchema>;

/** Fleet-wide rollup: status counts by cluster and by app. @public */
export const fleetSummarySchema = z.object({
  total: z.number().int().nonnegative(),
  byStatus: z.record(z.string(), z.number().int()),
  byCluster: z.record(z.string(), z.record(z.string(), z.number().int())),
  byApp: z.record(z.string(), z.record(z.string(), z.number().int())),
});

/** Fleet-wide rollup. @public */
export type FleetSummary = z.infer<typeof fleetSummarySchema>;

/**
 * A change the control plane makes to an ApplicationInstance, or a new one (a campaign's chart
 * version, an instance from a software template). It is applied with server-side apply under the
 * control plane's field manager, so only the fields named here become the control plane's; a
 * field another manager owns (a GitOps tool) is taken only with `force`.
 * @public
 */
export const instanceChangeSchema = z.strictObject({
  cluster: dns1123Label(),
  namespace: dns1123Label(),
  name: dns1123Subdomain(),
  spec: z.record(z.string(), z.unknown()).refine(spec => Object.keys(spec).length > 0, { message: 'must name at least one field' }),
  labels: z.record(z.string().min(1).max(317), z.string().max(63)).optional(),
  annotations: z.record(z.string().min(1).max(317), z.string()).optional(),
  force: z.boolean().optional(),
});

/** A change to an ApplicationInstance (see {@link instanceChangeSchema}). @public */
export type InstanceChange = z.infer<typeof instanceChangeSchema>;
