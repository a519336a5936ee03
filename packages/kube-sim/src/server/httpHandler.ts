import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { encodeObject } from '../store/encode';
import type { KubeObject } from '../types';
import type { Target } from './Target';
import { toTable, wantsTable } from './tables/toTable';
import type { Apiserver, DeleteOptions, PatchType, ResourceRef, Subresource, WriteContext } from './Apiserver';
import type { Authorizer, TokenGrant } from './authorizer';
import { VERSION_INFO, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery';
import type { Faults } from './Faults';
import { OpenApiDocuments } from './openapi/OpenApiDocuments';
import { serveOpenApi } from './openapi/serveOpenApi';
import { FieldValidation, duplicateFieldProblems, parseFieldValidation } from './fieldValidation';
import { decodeProtobuf, isProtobuf } from './protobuf/decodeProtobuf';
import {
  StatusError,
  badRequest,
  internalError,
  methodNotAllowed,
  pathNotFound,
  tooManyRequests,
  unsupportedMediaType,
} from './StatusError';

/** What the HTTP front end needs from its cluster. */
export interface HttpHandlerOptions {
  apiserver: Apiserver;
  authorizer: Authorizer;
  faults: Faults;
  /** host:port clients reach this server at, for `/api`. */
  serverAddress: () => string;
  /** Answers a TokenRequest (`POST .../serviceaccounts/{name}/token`). */
  tokenRequest?: (namespace: string, name: string, body: unknown) => KubeObject;
}

interface ResourcePath {
  ref: ResourceRef;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The syntax of a patch body, for finding its duplicate fields. */
const PATCH_BODY_SYNTAX: Record<PatchType, 'json' | 'json-patch' | 'yaml'> = {
  merge: 'json',
  json: 'json-patch',
  strategic: 'json',
  apply: 'yaml',
};

type RequestVerb = 'watch' | 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

function isApplyPatch(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim() === 'application/apply-patch+yaml';
}

/** The authorization verb of a request on a resource path; undefined for a method kube does not serve. */
function requestVerb(method: string, watch: boolean, named: boolean): RequestVerb | undefined {
  switch (method) {
    case 'GET':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** Splits `/api/v1/...` and `/apis/g/v/...` paths into a resource reference. */
export function parseResourcePath(path: string): ResourcePath | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/{ns} is the Namespace itself; /namespaces/{ns}/status|finalize its subresources.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  return { ref: { group, version, resource: rest[0], namespace }, name: rest[1], subresource: rest[2], watchPath };
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

/** A create or update body: JSON, or the protobuf kubectl's typed clients send (which has no duplicate fields). */
async function readObjectBody(req: IncomingMessage): Promise<{ body: unknown; text?: string }> {
  const raw = await readRaw(req);
  if (!isProtobuf(req.headers['content-type'])) {
    const text = raw.toString('utf8');
    return { body: parseJson(text), text };
  }
  try {
    return { body: decodeProtobuf(raw) };
  } catch (e) {
    throw new StatusError(415, 'UnsupportedMediaType', (e as Error).message);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding body: ${(e as Error).message}`);
  }
}

function parseApplyBody(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return parseJson(text);
  try {
    // Repeated keys are for field validation to report; the last one wins, as in kube's decoder.
    return parseYaml(text, { uniqueKeys: false });
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
}

function send(res: ServerResponse, code: number, body: unknown, headers?: Record<string, string | string[]>): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: StatusError): void {
  send(res, error.code, error.toStatus(), error.headers);
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A `Warning` header value as kube-apiserver writes it: code 299, no agent, the text quoted. */
function warningHeader(text: string): string {
  return `299 - "${text.replace(/["\\]/g, c => `\\${c}`)}"`;
}

function withWarnings(fieldValidation: FieldValidation): Record<string, string[]> | undefined {
  return fieldValidation.warnings.length > 0 ? { Warning: fieldValidation.warnings.map(warningHeader) } : undefined;
}

const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** The request listener of a simulated kube-apiserver. */
export function createHttpHandler(options: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { apiserver, authorizer, faults } = options;
  const exists = (ref: ResourceRef, name: string): boolean => {
    try {
      apiserver.get(ref, name);
      return true;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return false;
      throw e;
    }
  };
  const openApi = new OpenApiDocuments(apiserver.registry);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kube-sim');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const delay = faults.delayMs();
    if (delay > 0) await sleep(delay);
    const fault = faults.draw();
    if (fault === 'error') throw internalError('injected fault', 'kube-sim fault injection');
    if (fault === 'throttle') throw tooManyRequests(faults.current.retryAfterSeconds ?? 1);

    if (UNAUTHENTICATED_PATHS.has(path)) {
      if (path === '/version') send(res, 200, VERSION_INFO);
      else {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      }
      return;
    }
    const grant = authorizer.authenticate(req.headers.authorization);

    if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      serveOpenApi(req, res, url, path, openApi);
      return;
    }
    if (path === '/api') {
      send(res, 200, apiVersions(options.serverAddress()));
      return;
    }
    if (path === '/apis') {
      send(res, 200, apiGroupList(apiserver.registry));
      return;
    }
    const segments = path.split('/').filter(Boolean);
    if (segments[0] === 'api' && segments.length === 2) {
      const list = apiResourceList(apiserver.registry, '', segments[1]);
      if (!list) throw pathNotFound();
      send(res, 200, list);
      return;
    }
    if (segments[0] === 'apis' && segments.length === 2) {
      const group = apiGroup(apiserver.registry, segments[1]);
      if (!group) throw pathNotFound();
      send(res, 200, group);
      return;
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      const list = apiResourceList(apiserver.registry, segments[1], segments[2]);
      if (!list) throw pathNotFound();
      send(res, 200, list);
      return;
    }
    const parsed = parseResourcePath(path);
    if (!parsed) throw pathNotFound();
    await serveResource(req, res, url, parsed, grant);
  }

  async function serveResource(req: IncomingMessage, res: ServerResponse, url: URL, p: ResourcePath, grant: TokenGrant): Promise<void> {
    const q = url.searchParams;
    const target = apiserver.resolve(p.ref);
    const tokenRequest = p.subresource === 'token' && p.ref.group === '' && p.ref.resource === 'serviceaccounts' && options.tokenRequest;
    if (p.subresource !== undefined && p.subresource !== 'status' && p.subresource !== 'scale' && !tokenRequest &&
      !(p.subresource === 'finalize' && p.ref.resource === 'namespaces')) {
      throw pathNotFound();
    }
    const subresource = p.subresource === 'finalize' ? undefined : (p.subresource as Subresource | undefined);
    const method = req.method ?? 'GET';
    const watch = p.watchPath || q.get('watch') === '1' || q.get('watch') === 'true';
    const verb = requestVerb(method, watch, !!p.name);
    if (!verb) throw methodNotAllowed();
    if ((verb === 'create' && p.name && !tokenRequest) || ((verb === 'update' || verb === 'patch') && !p.name)) throw methodNotAllowed();
    if (target.type.review && (verb !== 'create' || p.subresource)) throw methodNotAllowed();
    authorizer.authorize(grant, {
      verb,
      group: target.type.group,
      resource: target.type.plural,
      subresource: p.subresource,
      namespace: p.ref.namespace,
      name: p.name,
    });
    // An apply that creates its object is a create too: kube-apiserver authorizes "create" for
    // create-on-update, so "patch" alone does not let a client make new objects.
    if (verb === 'patch' && !p.subresource && isApplyPatch(req.headers['content-type']) && !exists(p.ref, p.name!)) {
      authorizer.authorize(grant, {
        verb: 'create',
        group: target.type.group,
        resource: target.type.plural,
        namespace: p.ref.namespace,
        name: p.name,
      });
    }
    const ctx: WriteContext = {
      user: grant.user,
      dryRun: q.getAll('dryRun').includes('All'),
      fieldManager: q.get('fieldManager') ?? undefined,
      userAgent: req.headers['user-agent'],
    };

    if (tokenRequest) {
      if (method !== 'POST') throw methodNotAllowed();
      const { body } = await readObjectBody(req);
      return send(res, 201, tokenRequest(p.ref.namespace ?? '', p.name!, body));
    }
    switch (verb) {
      case 'watch':
        return serveWatch(req, res, p, q, target);
      case 'get': {
        const object = apiserver.get(p.ref, p.name!, subresource);
        // Custom resources answer `kubectl get` with their CRD's printer columns.
        if (!target.type.builtin && !subresource && wantsTable(req.headers.accept)) {
          return send(res, 200, toTable(target.version, [object], { resourceVersion: object.metadata.resourceVersion }));
        }
        return send(res, 200, object);
      }
      case 'list': {
        const result = apiserver.list(p.ref, {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: q.has('limit') ? Number(q.get('limit')) : undefined,
          continue: q.get('continue') ?? undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          resourceVersionMatch: (q.get('resourceVersionMatch') as 'Exact' | 'NotOlderThan' | null) ?? undefined,
        });
        if (!target.type.builtin && wantsTable(req.headers.accept)) return send(res, 200, toTable(target.version, result.items, result.metadata));
        // Typed lists of built-ins carry no kind/apiVersion on their items, unlike custom resources.
        const items = target.type.builtin
          ? result.items.map(({ kind: _k, apiVersion: _a, ...rest }) => JSON.stringify(rest))
          : result.items.map(encodeObject);
        const head = JSON.stringify({ kind: result.kind, apiVersion: result.apiVersion, metadata: result.metadata });
        return send(res, 200, `${head.slice(0, -1)},"items":[${items.join(',')}]}`);
      }
      case 'create': {
        const directive = parseFieldValidation(q.get('fieldValidation'), 'CreateOptions');
        const { body, text } = await readObjectBody(req);
        const fieldValidation = new FieldValidation(directive, 'create', directive === 'Ignore' || text === undefined ? [] : duplicateFieldProblems(text, 'json'));
        const created = await apiserver.create(p.ref, body, { ...ctx, fieldValidation });
        return send(res, 201, created, withWarnings(fieldValidation));
      }
      case 'update': {
        const directive = parseFieldValidation(q.get('fieldValidation'), 'UpdateOptions');
        const { body, text } = await readObjectBody(req);
        const fieldValidation = new FieldValidation(directive, 'update', directive === 'Ignore' || text === undefined ? [] : duplicateFieldProblems(text, 'json'));
        const updated = await apiserver.update(p.ref, p.name!, body, { ...ctx, fieldValidation }, subresource);
        return send(res, 200, updated, withWarnings(fieldValidation));
      }
      case 'patch': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim();
        const type = PATCH_TYPES[contentType];
        const accepted = Object.keys(PATCH_TYPES).filter(t => target.type.builtin || t !== 'application/strategic-merge-patch+json');
        if (!type) throw unsupportedMediaType(contentType, accepted);
        const directive = parseFieldValidation(q.get('fieldValidation'), 'PatchOptions');
        const text = await readBody(req);
        const body = type === 'apply' ? parseApplyBody(text) : parseJson(text);
        const duplicates = directive === 'Ignore' ? [] : duplicateFieldProblems(text, PATCH_BODY_SYNTAX[type]);
        const fieldValidation = new FieldValidation(directive, type === 'apply' ? 'apply' : 'patch', duplicates);
        const existed = type === 'apply' && target.store.get(p.ref.namespace ? `${p.ref.namespace}/${p.name}` : p.name!) !== undefined;
        const force = q.get('force') === 'true';
        const result = await apiserver.patch(p.ref, p.name!, { type, body, force }, { ...ctx, fieldValidation }, subresource);
        return send(res, type === 'apply' && !existed ? 201 : 200, result, withWarnings(fieldValidation));
      }
      case 'delete':
      case 'deletecollection': {
        const text = await readBody(req);
        const body = (text.trim() ? parseJson(text) : {}) as DeleteOptions & { dryRun?: string[] };
        if (body.dryRun?.includes('All')) ctx.dryRun = true;
        const deleteOptions: DeleteOptions = {
          ...body,
          propagationPolicy: (q.get('propagationPolicy') as DeleteOptions['propagationPolicy'] | null) ?? body.propagationPolicy,
        };
        if (verb === 'delete') {
          const result = await apiserver.delete(p.ref, p.name!, deleteOptions, ctx);
          // handlers/delete.go: 202 when the object stays (finalizers) and orphanDependents=false was asked.
          const stays = result.kind !== 'Status' && !!(result as KubeObject).metadata.deletionTimestamp && !ctx.dryRun;
          return send(res, stays && deleteOptions.orphanDependents === false ? 202 : 200, result);
        }
        return send(res, 200, await apiserver.deleteCollection(p.ref, {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
        }, deleteOptions, ctx));
      }
      default:
        throw methodNotAllowed();
    }
  }

  function serveWatch(req: IncomingMessage, res: ServerResponse, p: ResourcePath, q: URLSearchParams, target: Target): void {
    const settings = faults.current;
    // `kubectl get -w` on custom resources: each object event carries a one-row Table.
    const asTable = !target.type.builtin && wantsTable(req.headers.accept);
    const tableLine = (type: string, object: KubeObject) =>
      `${JSON.stringify({ type, object: toTable(target.version, [object], { resourceVersion: object.metadata.resourceVersion }) })}\n`;
    let sent = 0;
    let open = true;
    let headersSent = false;
    const start = () => {
      if (headersSent) return;
      headersSent = true;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    };
    let cut: NodeJS.Timeout | undefined;
    const watchHandle = apiserver.watch(
      { ...p.ref, namespace: p.ref.namespace },
      {
        resourceVersion: q.get('resourceVersion') ?? undefined,
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? (p.name ? `metadata.name=${p.name}` : undefined),
        allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1',
        timeoutSeconds: q.has('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
        sendInitialEvents: q.get('sendInitialEvents') === 'true',
      },
      {
        send: (type, object, encoded) => {
          const limit = settings.watchMaxEvents;
          if (!open || (limit !== undefined && sent >= limit)) return;
          start();
          const isObjectEvent = type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED';
          res.write(asTable && isObjectEvent ? tableLine(type, object as KubeObject) : encoded());
          sent++;
          // The initial events arrive before the handle exists, hence the deferred stop.
          if (limit !== undefined && sent >= limit) setImmediate(() => watchHandle.stop());
        },
        close: () => {
          if (!open) return;
          open = false;
          if (cut) clearTimeout(cut);
          start();
          res.end();
        },
      },
    );
    start();
    // Flush headers so that clients see the watch established before the first event.
    res.flushHeaders();
    if (settings.watchMaxSeconds !== undefined) {
      cut = setTimeout(() => watchHandle.stop(), settings.watchMaxSeconds * 1000);
      cut.unref();
    }
    req.on('close', () => watchHandle.stop());
    res.on('close', () => watchHandle.stop());
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof StatusError) sendError(res, e);
      else sendError(res, internalError((e as Error)?.message ?? String(e)));
    });
  };
}
