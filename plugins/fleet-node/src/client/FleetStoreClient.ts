import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  appTemplateSchema,
  clusterSummarySchema,
  fleetSummarySchema,
  instanceDetailSchema,
  instancePageSchema,
  operationPageSchema,
  type AppTemplate,
  type ClusterSummary,
  type FleetEvent,
  type FleetSummary,
  type InstanceDetail,
  type InstancePage,
  type InstanceQuery,
  type OperationQuery,
  type OperationPage,
} from '@vworkspace/backstage-plugin-fleet-common';
import { z } from 'zod';
import type { FleetStoreReader } from '../store';
import {
  FleetEventStream,
  type FleetEventStreamTiming,
} from './FleetEventStream';

/** Plugin id of the fleet backend, whose HTTP API this client reads. */
const fleetPluginId = 'fleet';

const clusterListSchema = z.object({ items: z.array(clusterSummarySchema) });
const appListSchema = z.object({ items: z.array(appTemplateSchema) });

/**
 * Options of {@link FleetStoreClient}.
 * @public
 */
export interface FleetStoreClientOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger?: LoggerService;
  /** Longest wait for one API request. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Timing of the change feed that `subscribe` follows. */
  eventStream?: FleetEventStreamTiming;
}

/**
 * The fleet store read over the fleet plugin's HTTP API (`/api/fleet`), with a service token
 * of the calling plugin. Works wherever the fleet plugin runs: in the same backend or in
 * another deployment. Every response is checked against the contract's zod schemas, so a
 * mismatch fails loudly here rather than as a wrong entity later.
 * @public
 */
export class FleetStoreClient implements FleetStoreReader {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly logger?: LoggerService;
  private readonly requestTimeoutMs: number;
  private readonly eventStreamTiming: FleetEventStreamTiming;

  constructor(options: FleetStoreClientOptions) {
    this.discovery = options.discovery;
    this.auth = options.auth;
    this.logger = options.logger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.eventStreamTiming = options.eventStream ?? {};
  }

  async listClusters(): Promise<ClusterSummary[]> {
    return (await this.get('/clusters', clusterListSchema)).items;
  }

  async listInstances(query: InstanceQuery = {}): Promise<InstancePage> {
    return this.get(`/instances${queryString(query)}`, instancePageSchema);
  }

  async getInstance(ref: {
    cluster: string;
    namespace: string;
    name: string;
  }): Promise<InstanceDetail | undefined> {
    const path = `/instances/${[ref.cluster, ref.namespace, ref.name]
      .map(encodeURIComponent)
      .join('/')}`;
    return this.get(path, instanceDetailSchema, { notFoundAsUndefined: true });
  }

  async listOperations(query: OperationQuery = {}): Promise<OperationPage> {
    return this.get(`/operations${queryString(query)}`, operationPageSchema);
  }

  async summary(): Promise<FleetSummary> {
    return this.get('/summary', fleetSummarySchema);
  }

  async listApps(): Promise<AppTemplate[]> {
    return (await this.get('/apps', appListSchema)).items;
  }

  subscribe(options: {
    afterId?: number;
    onEvent: (event: FleetEvent) => void;
    onResync?: () => void;
  }): () => void {
    const stream = new FleetEventStream({
      ...this.eventStreamTiming,
      ...options,
      logger: this.logger,
      eventsUrl: async () => `${await this.baseUrl()}/events`,
      headers: () => this.authHeaders(),
    });
    stream.start();
    return () => stream.stop();
  }

  private async baseUrl(): Promise<string> {
    return (await this.discovery.getBaseUrl(fleetPluginId)).replace(/\/+$/, '');
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: fleetPluginId,
    });
    return { authorization: `Bearer ${token}` };
  }

  private async get<T>(
    path: string,
    schema: z.ZodType<T>,
    options?: { notFoundAsUndefined: false },
  ): Promise<T>;
  private async get<T>(
    path: string,
    schema: z.ZodType<T>,
    options: { notFoundAsUndefined: true },
  ): Promise<T | undefined>;
  private async get<T>(
    path: string,
    schema: z.ZodType<T>,
    options?: { notFoundAsUndefined: boolean },
  ): Promise<T | undefined> {
    const url = `${await this.baseUrl()}${path}`;
    const response = await fetch(url, {
      headers: { ...(await this.authHeaders()), accept: 'application/json' },
      signal: AbortSignal.timeout(this.requestTimeoutMs),
    });
    if (response.status === 404 && options?.notFoundAsUndefined)
      return undefined;
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // ResponseError's own message only names the status; the backend's message says why.
      throw new Error(
        `Fleet API GET ${path} failed with ${response.status}: ${error.body.error.message}`,
        { cause: error },
      );
    }
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 5)
        .map(issue => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new Error(
        `Fleet API GET ${path} answered a body that does not match the contract: ${problems}`,
      );
    }
    return parsed.data;
  }
}

/** `?a=1&b=2` of the defined fields of a query, or '' when there are none. */
function queryString(
  query: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
