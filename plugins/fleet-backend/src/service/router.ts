import type {
  HttpAuthService,
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError, NotImplementedError, serializeError } from '@backstage/errors';
import {
  createOperationRequestSchema,
  dns1123Label,
  dns1123Subdomain,
  fleetEntityNamespace,
  FleetEvent,
  instanceQuerySchema,
  operationQuerySchema,
  registerClusterRequestSchema,
} from '@vworkspace/backstage-plugin-fleet-common';
import express, { ErrorRequestHandler, Request, Response } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { OperationService } from '../operations/OperationService';
import type { PullClusterService } from '../pull/PullClusterService';
import type { FleetStore } from '../store/FleetStore';
import { parseOr400 } from './parseOr400';
import { SerializedAnswerCache } from './SerializedAnswerCache';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  store: FleetStore;
  operations: OperationService;
  /** Registration of pull clusters; without it, `POST /clusters` answers 501. */
  pullClusters?: PullClusterService;
  /** Interval of SSE heartbeats. Default 15 s. */
  heartbeatIntervalMs?: number;
  /** Bytes an SSE follower may fall behind before its stream is closed (it resumes). Default 4 MiB. */
  maxEventBacklogBytes?: number;
  /** Bytes of serialized instance pages kept for repeated reads. Default 16 MiB. */
  pageCacheBytes?: number;
}


const instancePathSchema = z.strictObject({
  cluster: dns1123Label(),
  namespace: dns1123Label(),
  name: dns1123Subdomain(),
});

/** What Backstage allows in each part of an entity ref (kind, namespace, name). */
const entityRefPartPattern = /^(?=.{1,63}$)([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const clusterPathSchema = z.strictObject({ name: dns1123Label() });

const entityQuerySchema = z.strictObject({ entityRef: z.string().min(1).max(300) });

const eventsQuerySchema = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,16}$/, { message: 'must be an event id (a non-negative integer)' })
    .optional(),
});

const lastEventIdSchema = z.string().regex(/^\d{1,16}$/, { message: 'must be an event id (a non-negative integer)' });

const statusByName: Record<string, number> = {
  InputError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  NotImplementedError: 501,
  ServiceUnavailableError: 503,
};

function statusOf(error: Error): number {
  const fromError = (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  if (typeof fromError === 'number' && Number.isInteger(fromError) && fromError >= 400 && fromError <= 599) return fromError;
  return statusByName[error.name] ?? 500;
}


const bodyLimit = '64kb';

/** Same shape as the backend's default error handler, never with a stack. */
export function errorHandler(logger: LoggerService, limit = bodyLimit): ErrorRequestHandler {
  return (rawError, req, res, next) => {
    let error: Error = rawError instanceof Error ? rawError : new Error(String(rawError));
    let status = statusOf(error);
    const bodyParserType = (rawError as { type?: string }).type;
    if (bodyParserType === 'entity.parse.failed') error = new InputError(`Invalid body: not valid JSON (${error.message})`);
    else if (bodyParserType === 'entity.too.large') error = new InputError(`Invalid body: larger than the limit of ${limit}`);
    else if (bodyParserType === 'charset.unsupported' || bodyParserType === 'encoding.unsupported') {
      error = new InputError(`Invalid body: ${error.message}`);
    }
    if (bodyParserType) status = statusOf(error) === 400 && bodyParserType === 'entity.too.large' ? 413 : 400;
    if (status >= 500 && status !== 503) {
      logger.error(`Request ${req.method} ${req.path} failed`, error);
      error = new Error('An internal error occurred');
    } else if (!(error.name in statusByName)) {
      // an error from elsewhere (a client library): its message only, never its response or cause
      const plain = new Error(error.message);
      plain.name = error.name;
      error = plain;
    }
    if (res.headersSent) {
      next(error);
      return;
    }
    res.status(status).json({
      error: serializeError(error, { includeStack: false }),
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: status },
    });
  };
}

/** The `/api/fleet` routes. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { store, operations, httpAuth, userInfo } = options;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
  const maxBacklog = options.maxEventBacklogBytes ?? 4 * 1024 * 1024;
  const router = Router();
  router.use(express.json({ limit: bodyLimit }));
  const instancePages = new SerializedAnswerCache({ maxBytes: options.pageCacheBytes });

  router.get('/clusters', async (_req, res) => {
    res.json({ items: await store.listClusters() });
  });

  router.post('/clusters', async (req, res) => {
    requireJson(req);
    const body = parseOr400(registerClusterRequestSchema, req.body, 'body');
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.status(201).json(await pullClusterService().register(body, { credentials, request: req }));
  });

  router.post('/clusters/:name/token', async (req, res) => {
    const { name } = parseOr400(clusterPathSchema, req.params, 'path');
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await pullClusterService().rotateToken(name, { credentials, request: req }));
  });

  router.delete('/clusters/:name/token', async (req, res) => {
    const { name } = parseOr400(clusterPathSchema, req.params, 'path');
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await pullClusterService().revokeToken(name, { credentials, request: req }));
  });

  router.get('/instances', async (req, res) => {
    const query = parseOr400(instanceQuerySchema, req.query, 'query');
    // a filtered page changes only with its cluster; an unfiltered one with any cluster
    const revision = store.instancesRevision(query.cluster);
    // the parsed query has the schema's keys in the schema's order: equal queries, equal keys
    const page = await instancePages.get(JSON.stringify(query), revision, () => store.listInstances(query));
    instancePages.send(req, res, page);
  });

  router.get('/instances/:cluster/:namespace/:name', async (req, res) => {
    const ref = parseOr400(instancePathSchema, req.params, 'path');
    const detail = await store.getInstance(ref);
    if (!detail) {
      throw new NotFoundError(`ApplicationInstance ${ref.namespace}/${ref.name} not found in cluster ${ref.cluster}`);
    }
    res.json(detail);
  });

  router.get('/entity', async (req, res) => {
    const { entityRef } = parseOr400(entityQuerySchema, req.query, 'query');
    let ref;
    try {
      ref = parseEntityRef(entityRef, { defaultKind: 'component', defaultNamespace: fleetEntityNamespace });
    } catch (error) {
      throw new InputError(`Invalid query: entityRef: ${(error as Error).message}`);
    }
    for (const [part, value] of Object.entries(ref)) {
      if (!entityRefPartPattern.test(value)) {
        throw new InputError(`Invalid query: entityRef: ${part} "${value}" is not a valid entity ${part}`);
      }
    }
    const detail =
      ref.kind.toLocaleLowerCase('en-US') === 'component' && ref.namespace === fleetEntityNamespace
        ? await store.getInstanceByEntityName(ref.name)
        : undefined;
    if (!detail) throw new NotFoundError(`No application instance behind entity ${entityRef}`);
    res.json(detail);
  });

  router.get('/summary', async (_req, res) => {
    res.json(await store.summary());
  });

  router.get('/apps', async (_req, res) => {
    res.json({ items: await store.listApps() });
  });

  router.get('/operations', async (req, res) => {
    const query = parseOr400(operationQuerySchema, req.query, 'query');
    res.json(await store.listOperations(query));
  });

  router.post('/operations', async (req, res) => {
    requireJson(req);
    const body = parseOr400(createOperationRequestSchema, req.body, 'body');
    const caller = await callerOf(req);
    const { created, pending, operation } = await operations.create(body, caller);
    // 202: accepted for a pull cluster, applied once its agent takes it
    let status = created ? 201 : 200;
    if (pending) status = 202;
    res.status(status).json(operation);
  });

  router.post('/operations/:cluster/:namespace/:name/cancel', async (req, res) => {
    const ref = parseOr400(instancePathSchema, req.params, 'path');
    const caller = await callerOf(req);
    const { pending, operation } = await operations.cancel(ref, caller);
    res.status(pending ? 202 : 200).json(operation);
  });

  router.get('/events', async (req, res) => {
    // a user token, a service token, or (for EventSource) the user's Backstage cookie
    await httpAuth.credentials(req, { allow: ['user', 'service'], allowLimitedAccess: true });
    const { after } = parseOr400(eventsQuerySchema, req.query, 'query');
    const header = req.header('last-event-id');
    const lastEventId = header !== undefined ? parseOr400(lastEventIdSchema, header, 'Last-Event-ID header') : undefined;
    const resumeFrom = lastEventId ?? after;
    streamEvents(req, res, resumeFrom === undefined ? undefined : Number(resumeFrom));
  });

  function streamEvents(req: Request, res: Response, afterId: number | undefined) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const flush = () => (res as Response & { flush?: () => void }).flush?.();
    let closed = false;
    const write = (text: string) => {
      if (closed) return;
      res.write(text);
      flush();
      if (res.writableLength > maxBacklog) {
        // a follower this far behind reconnects with its last id and resumes (or resyncs)
        close();
      }
    };
    write('retry: 3000\n\n');
    const unsubscribe = store.subscribe({
      afterId,
      onEvent: (event: FleetEvent) => write(`id: ${event.id}\nevent: fleet\ndata: ${JSON.stringify(event)}\n\n`),
      onResync: () => write('event: resync\ndata: {}\n\n'),
    });
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatIntervalMs);
    function close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    }
    req.on('close', close);
    res.on('close', close);
  }

  function requireJson(req: Request) {
    if (!req.is('application/json')) {
      throw new InputError('Invalid body: send JSON with Content-Type: application/json');
    }
  }

  function pullClusterService(): PullClusterService {
    if (!options.pullClusters) throw new NotImplementedError('This backend does not register pull clusters');
    return options.pullClusters;
  }

  async function callerOf(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    return { credentials, userEntityRef: info.userEntityRef, request: req };
  }

  router.use(errorHandler(options.logger));
  return router;
}
