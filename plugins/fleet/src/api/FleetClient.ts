import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  appTemplateSchema,
  clusterSummarySchema,
  fleetEventSchema,
  fleetSummarySchema,
  instanceDetailSchema,
  instancePageSchema,
  operationPageSchema,
  operationSummarySchema,
  type AppTemplate,
  type ClusterSummary,
  type CreateOperationRequest,
  type FleetSummary,
  type InstanceDetail,
  type InstancePage,
  type InstanceQuery,
  type InstanceSummary,
  type OperationPage,
  type OperationQuery,
  type OperationSummary,
  SseParser,
} from '@vworkspace/backstage-plugin-fleet-common';
import type {
  FleetApi,
  FleetEventStreamOptions,
  InstanceRef,
  OperationRef,
} from './FleetApi';
import { FleetApiError } from './FleetApiError';

/** The part of a zod schema the client needs; keeps this file free of a direct zod import. */
interface ResponseSchema<T> {
  safeParse(data: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: {
          issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>;
        };
      };
}

const clusterListSchema = itemsOf(clusterSummarySchema);
const appListSchema = itemsOf(appTemplateSchema);

/** `{ items: T[] }`, the shape of the lists that have no paging, checked item by item. */
function itemsOf<T>(item: ResponseSchema<T>): ResponseSchema<{ items: T[] }> {
  return {
    safeParse(data) {
      const list = (data as { items?: unknown } | null | undefined)?.items;
      if (!Array.isArray(list)) {
        return {
          success: false,
          error: {
            issues: [{ path: ['items'], message: 'expected an array' }],
          },
        };
      }
      const items: T[] = [];
      for (const [index, value] of list.entries()) {
        const parsed = item.safeParse(value);
        if (!parsed.success) {
          const issues = parsed.error.issues.map(issue => ({
            message: issue.message,
            path: ['items', index, ...issue.path],
          }));
          return { success: false, error: { issues } };
        }
        items.push(parsed.data);
      }
      return { success: true, data: { items } };
    },
  };
}

/** Largest page the backend serves; listing everything takes the fewest round trips. */
const maxPageSize = 1000;

/**
 * The {@link FleetApi} over Backstage's discoveryApi and fetchApi (so identity headers are
 * sent). Every response is checked against fleet-common's schemas before it is handed out.
 * @public
 */
export class FleetClient implements FleetApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listClusters(): Promise<ClusterSummary[]> {
    const body = await this.get('/clusters', clusterListSchema);
    return body.items;
  }

  listInstances(query: InstanceQuery = {}): Promise<InstancePage> {
    return this.get(`/instances${toQueryString(query)}`, instancePageSchema);
  }

  async listAllInstances(
    query: Omit<InstanceQuery, 'limit' | 'cursor'> = {},
  ): Promise<InstanceSummary[]> {
    const items: InstanceSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listInstances({
        ...query,
        limit: maxPageSize,
        cursor,
      });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  getInstance(ref: InstanceRef): Promise<InstanceDetail> {
    return this.get(`/instances/${refPath(ref)}`, instanceDetailSchema);
  }

  getInstanceByEntityRef(entityRef: string): Promise<InstanceDetail> {
    return this.get(
      `/entity${toQueryString({ entityRef })}`,
      instanceDetailSchema,
    );
  }

  getSummary(): Promise<FleetSummary> {
    return this.get('/summary', fleetSummarySchema);
  }

  async listApps(): Promise<AppTemplate[]> {
    const body = await this.get('/apps', appListSchema);
    return body.items;
  }

  listOperations(query: OperationQuery = {}): Promise<OperationPage> {
    return this.get(`/operations${toQueryString(query)}`, operationPageSchema);
  }

  createOperation(request: CreateOperationRequest): Promise<OperationSummary> {
    return this.send('POST', '/operations', operationSummarySchema, request);
  }

  cancelOperation(ref: OperationRef): Promise<OperationSummary> {
    return this.send(
      'POST',
      `/operations/${refPath(ref)}/cancel`,
      operationSummarySchema,
    );
  }

  async streamEvents(options: FleetEventStreamOptions): Promise<void> {
    const { signal, onEvent, onResync, onOpen, lastEventId } = options;
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (lastEventId !== undefined)
      headers['Last-Event-ID'] = String(lastEventId);

    let response: Response;
    try {
      response = await this.fetchApi.fetch(`${await this.baseUrl()}/events`, {
        headers,
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if (!response.ok) throw await FleetApiError.fromResponse(response);
    if (!response.body) {
      throw new FleetApiError({
        message: 'Fleet backend sent an event stream without a body',
        statusCode: response.status,
      });
    }
    onOpen?.();

    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const abortRead = () => {
      reader.cancel().catch(() => undefined);
    };
    signal.addEventListener('abort', abortRead);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || signal.aborted) return;
        for (const message of parser.push(
          decoder.decode(value, { stream: true }),
        )) {
          if (message.event === 'resync') {
            onResync();
            continue;
          }
          if (message.event !== 'fleet' && message.event !== 'message')
            continue;
          const parsed = fleetEventSchema.safeParse(safeJson(message.data));
          // An event this version does not understand (a newer kind) is skipped, not fatal.
          if (parsed.success) onEvent(parsed.data);
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    } finally {
      signal.removeEventListener('abort', abortRead);
    }
  }

  private async baseUrl(): Promise<string> {
    return this.discoveryApi.getBaseUrl('fleet');
  }

  private get<T>(path: string, schema: ResponseSchema<T>): Promise<T> {
    return this.send('GET', path, schema);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: ResponseSchema<T>,
    body?: unknown,
  ): Promise<T> {
    const response = await this.fetchApi.fetch(
      `${await this.baseUrl()}${path}`,
      {
        method,
        headers:
          body === undefined
            ? { Accept: 'application/json' }
            : {
                Accept: 'application/json',
                'Content-Type': 'application/json',
              },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
    );
    if (!response.ok) throw await FleetApiError.fromResponse(response);
    const json = await response.json().catch(() => undefined);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.map(String).join('.') || '(root)';
      throw new FleetApiError({
        message: `Fleet backend sent an unexpected response to ${method} ${
          path.split('?')[0]
        }: ${where}: ${issue?.message ?? 'invalid'}`,
        statusCode: response.status,
      });
    }
    return parsed.data;
  }
}

function refPath(ref: InstanceRef | OperationRef): string {
  return [ref.cluster, ref.namespace, ref.name]
    .map(encodeURIComponent)
    .join('/');
}

function toQueryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
