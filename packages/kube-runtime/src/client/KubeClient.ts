import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import {
  decodeApiError,
  errorFromStatus,
  isConnectionRefused,
  isConnectionError,
  isTooLargeResourceVersion,
  KubeApiError,
  KubeConnectionError,
  KubeStatus,
  retryAfterSeconds,
} from './apiErrors';
import { Clock, sleep, systemClock } from '../clock/Clock';
import { Logger, silentLogger } from '../log/Logger';
import { TokenBucket } from './TokenBucket';
import { backoffDelay, ExponentialBackoff } from '../backoff/exponentialBackoff';
import { groupOf, KubeList, KubeObject, ResourceKind, WatchEvent } from './types';

/** @public */
export interface KubeClientOptions {
  /** Client-side rate limit, requests per second. Default 20 (client-go). */
  qps?: number;
  /** Client-side burst. Default 30 (client-go). */
  burst?: number;
  /** Retries of one request on 429, 5xx and refused connections. Default 5. */
  maxRetries?: number;
  /** Total time one request may spend waiting between retries. Default 30 s. */
  retryBudgetMs?: number;
  /** Longest Retry-After honoured as is; longer ones are capped. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Timeout of non-watch requests (no bytes for this long). Default 60 s. */
  requestTimeoutMs?: number;
  /** How long credentials from the kubeconfig are reused before being read again (token files rotate). Default 10 s. */
  credentialsTtlMs?: number;
  /** Sent as User-Agent. Default `fleet-operator`. */
  userAgent?: string;
  clock?: Clock;
  logger?: Logger;
  /** Random source for retry jitter. */
  random?: () => number;
}

/** Options of a list call. @public */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  signal?: AbortSignal;
}

/** Options of a watch call. @public */
export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Server-side duration of the watch. */
  timeoutSeconds?: number;
  /**
   * Client-side idle timeout: the stream is torn down when no byte arrives for this long.
   * Default `timeoutSeconds + 30 s`, or 5 min. Client-node's own watch has none, which is how
   * a silently dead connection stalls an informer forever.
   */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Options of a write. @public */
export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** Patch flavours. `apply` is server-side apply. @public */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** @public */
export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** For `apply`: take ownership of conflicting fields. Default true for apply. */
  force?: boolean;
  /** e.g. `status`. */
  subresource?: string;
}

/** @public */
export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  signal?: AbortSignal;
}

/** @public */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

type Query = Record<string, string | number | boolean | undefined>;

interface Credentials {
  headers: Record<string, string>;
  expiresAt: number;
}

const idempotent = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Retries of one request without a Retry-After: 200 ms doubling to 5 s, spread up to +100%. */
const requestRetryBackoff: ExponentialBackoff = { initialMs: 200, maxMs: 5_000, jitter: 1 };

/**
 * The HTTP client of one cluster. It exists because client-node 1.4's own clients create an
 * https.Agent per request (watch reconnects leak sockets), never retry, ignore Retry-After and
 * never rate-limit. Here: one keep-alive agent per cluster, JSON in and out, typed
 * {@link KubeApiError}s, bounded retries on 429/5xx/refused connections honouring Retry-After,
 * and a token-bucket limit shared by every caller of the cluster.
 *
 * Authentication and TLS come from client-node's KubeConfig (kubeconfig file or in-cluster
 * service account), so exec plugins, token files and client certificates all work.
 *
 * @public
 */
export class KubeClient {
  /** Base URL of the API server, without trailing slash. */
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly limiter: TokenBucket;
  private readonly maxRetries: number;
  private readonly retryBudgetMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly requestTimeoutMs: number;
  private readonly credentialsTtlMs: number;
  private readonly userAgent: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly secure: boolean;
  private agentPromise?: Promise<http.Agent>;
  private credentials?: Promise<Credentials>;
  private closed = false;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.kc = kubeConfig;
    this.server = cluster.server.replace(/\/+$/, '');
    this.secure = this.server.startsWith('https:');
    this.clock = options.clock ?? systemClock;
    this.limiter = new TokenBucket(options.qps ?? 20, options.burst ?? 30, this.clock);
    this.maxRetries = options.maxRetries ?? 5;
    this.retryBudgetMs = options.retryBudgetMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.credentialsTtlMs = options.credentialsTtlMs ?? 10_000;
    this.userAgent = options.userAgent ?? 'fleet-operator';
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
  }

  /** From a kubeconfig file, or the in-cluster service account when `path` is empty. */
  static load(path: string | undefined, options?: KubeClientOptions): KubeClient {
    const kc = new KubeConfig();
    if (path) kc.loadFromFile(path);
    else kc.loadFromCluster();
    return new KubeClient(kc, options);
  }

  /** From kubeconfig YAML. */
  static fromString(yaml: string, options?: KubeClientOptions): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    return new KubeClient(kc, options);
  }

  /** The namespace of the current kubeconfig context, if any. */
  get contextNamespace(): string | undefined {
    const ctx = this.kc.getContextObject(this.kc.getCurrentContext());
    return ctx?.namespace || undefined;
  }

  /** URL path of a collection or object. */
  path(kind: ResourceKind, namespace?: string, name?: string, subresource?: string): string {
    const base = groupOf(kind.apiVersion) ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
    let p = base;
    if (kind.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${kind.plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  async get<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    name: string,
    namespace?: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    return this.request<T>('GET', this.path(kind, namespace, name), { signal: options.signal });
  }

  /** One page of a list (follow `metadata.continue` for the next one). */
  async list<T extends KubeObject = KubeObject>(kind: ResourceKind, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', this.path(kind, options.namespace), {
      signal: options.signal,
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      },
    });
  }

  async create<T extends KubeObject = KubeObject>(kind: ResourceKind, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.request<T>('POST', this.path(kind, obj.metadata?.namespace), {
      body: obj,
      signal: options.signal,
      query: writeQuery(options),
    });
  }

  /** PUT; fails with 409 Conflict if `metadata.resourceVersion` is stale. */
  async update<T extends KubeObject = KubeObject>(kind: ResourceKind, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.request<T>('PUT', this.path(kind, obj.metadata?.namespace, requireName(obj)), {
      body: obj,
      signal: options.signal,
      query: writeQuery(options),
    });
  }

  /** PUT to the status subresource. */
  async updateStatus<T extends KubeObject = KubeObject>(kind: ResourceKind, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.request<T>('PUT', this.path(kind, obj.metadata?.namespace, requireName(obj), 'status'), {
      body: obj,
      signal: options.signal,
      query: writeQuery(options),
    });
  }

  async patch<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T> {
    const query: Query = writeQuery(options);
    if (options.type === 'apply') {
      if (!options.fieldManager) throw new Error('server-side apply needs a fieldManager');
      query.force = options.force ?? true;
    }
    return this.request<T>('PATCH', this.path(kind, namespace, name, options.subresource), {
      body: patch,
      contentType: patchContentTypes[options.type],
      signal: options.signal,
      query,
    });
  }

  /** Server-side apply of a full intent object (force by default). */
  async apply<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    obj: T,
    options: WriteOptions & { fieldManager: string; force?: boolean; subresource?: string },
  ): Promise<T> {
    return this.patch<T>(kind, requireName(obj), obj.metadata?.namespace, obj, { ...options, type: 'apply' });
  }

  /** DELETE; resolves with the server's answer (the object while finalizers run, else a Status). */
  async delete(kind: ResourceKind, name: string, namespace?: string, options: DeleteOptions = {}): Promise<KubeObject> {
    const body =
      options.propagationPolicy || options.preconditions || options.gracePeriodSeconds !== undefined
        ? {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            propagationPolicy: options.propagationPolicy,
            preconditions: options.preconditions,
            gracePeriodSeconds: options.gracePeriodSeconds,
          }
        : undefined;
    return this.request<KubeObject>('DELETE', this.path(kind, namespace, name), { body, signal: options.signal });
  }

  /**
   * A watch stream as an async iterator. It ends when the server closes the stream; it throws
   * {@link KubeApiError} for an HTTP error or an ERROR event, and a connection error when the
   * stream breaks or stays idle past `idleTimeoutMs`. Breaking out of the loop closes the request.
   */
  async *watch<T extends KubeObject = KubeObject>(kind: ResourceKind, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const query: Query = {
      watch: 1,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowWatchBookmarks ? true : undefined,
      timeoutSeconds: options.timeoutSeconds,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    };
    const idleMs = options.idleTimeoutMs ?? (options.timeoutSeconds ? options.timeoutSeconds * 1000 + 30_000 : 300_000);
    const path = this.path(kind, options.namespace);
    await this.limiter.take(options.signal);
    const res = await this.send('GET', path, query, undefined, undefined, options.signal, idleMs);
    const label = `WATCH ${path}`;
    if (res.statusCode !== 200) {
      const body = await readBody(res).catch(() => '');
      throw decodeApiError(res.statusCode ?? 0, body, { retryAfter: res.headers['retry-after'], request: label });
    }
    let buffered = '';
    try {
      res.setEncoding('utf8');
      for await (const chunk of res as AsyncIterable<string>) {
        buffered += chunk;
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === 'ERROR') throw errorFromStatus(event.object as KubeStatus, label);
          yield event;
        }
      }
      if (!res.complete) throw new KubeConnectionError(label, Object.assign(new Error('watch stream cut'), { code: 'ECONNRESET' }));
    } catch (err) {
      if (err instanceof KubeApiError || err instanceof KubeConnectionError) throw err;
      if (options.signal?.aborted) throw err;
      throw new KubeConnectionError(label, err);
    } finally {
      res.destroy();
    }
  }

  /**
   * One JSON request with rate limiting and retries. Retried: 429 (honouring Retry-After),
   * 5xx on idempotent methods or when the server sent Retry-After, refused connections, and
   * broken connections on idempotent methods — within `maxRetries` and `retryBudgetMs`.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const label = `${method} ${path}`;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take(options.signal);
      let error: unknown;
      try {
        const res = await this.send(method, path, options.query, options.body, options.contentType, options.signal, this.requestTimeoutMs);
        const body = await readBody(res);
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) return (body ? JSON.parse(body) : {}) as T;
        error = decodeApiError(code, body, { retryAfter: res.headers['retry-after'], request: label });
        if (code === 401 && attempt === 0) {
          // credentials may have rotated under us: read them again once
          this.credentials = undefined;
          continue;
        }
      } catch (err) {
        if (options.signal?.aborted) throw err;
        error = err instanceof KubeConnectionError ? err : new KubeConnectionError(label, err);
      }
      const delay = this.retryDelay(error, method, attempt);
      if (delay === undefined || waited + delay > this.retryBudgetMs) throw error;
      waited += delay;
      this.logger.debug('retrying request', { request: label, attempt: attempt + 1, delayMs: Math.round(delay), error });
      await sleep(delay, options.signal, this.clock);
    }
  }

  /** Closes pooled connections. In-flight watches end with a connection error. */
  close(): void {
    this.closed = true;
    // A client whose connection settings never worked has no agent to destroy; its setup
    // error was already given to the request that met it.
    this.agentPromise?.then(
      a => a.destroy(),
      () => undefined,
    );
  }

  private retryDelay(err: unknown, method: string, attempt: number): number | undefined {
    if (attempt >= this.maxRetries) return undefined;
    const after = retryAfterSeconds(err);
    const backoff = backoffDelay(requestRetryBackoff, attempt, this.random);
    if (err instanceof KubeApiError) {
      if (err.code === 429) return after !== undefined ? Math.min(after * 1000, this.maxRetryAfterMs) : backoff;
      if (err.code >= 500 && !isTooLargeResourceVersion(err)) {
        if (after !== undefined) return Math.min(after * 1000, this.maxRetryAfterMs);
        return idempotent.has(method) ? backoff : undefined;
      }
      return undefined;
    }
    if (isConnectionRefused(err)) return backoff;
    if (isConnectionError(err) && idempotent.has(method)) return backoff;
    return undefined;
  }

  private agent(): Promise<http.Agent> {
    this.agentPromise ??= (async () => {
      const opts: https.RequestOptions = {};
      await this.kc.applyToHTTPSOptions(opts);
      const common = { keepAlive: true, maxFreeSockets: 16, scheduling: 'lifo' as const };
      if (!this.secure) return new http.Agent(common);
      return new https.Agent({
        ...common,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        pfx: opts.pfx,
        passphrase: opts.passphrase,
        servername: opts.servername,
        rejectUnauthorized: opts.rejectUnauthorized,
      });
    })();
    return this.agentPromise;
  }

  private authHeaders(): Promise<Credentials> {
    const cached = this.credentials;
    if (cached) {
      return cached.then(c => {
        if (c.expiresAt > this.clock.now()) return c;
        if (this.credentials === cached) this.credentials = undefined;
        return this.authHeaders();
      });
    }
    const fresh = (async (): Promise<Credentials> => {
      const opts: https.RequestOptions = {};
      // Builds a throwaway agent too, but only once per credentialsTtlMs rather than per request.
      await this.kc.applyToHTTPSOptions(opts);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) {
        if (typeof v === 'string' || typeof v === 'number') headers[k] = String(v);
      }
      if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      return { headers, expiresAt: this.clock.now() + this.credentialsTtlMs };
    })();
    this.credentials = fresh;
    fresh.catch(() => {
      if (this.credentials === fresh) this.credentials = undefined;
    });
    return fresh;
  }

  private async send(
    method: string,
    path: string,
    query: Query | undefined,
    body: unknown,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
    idleTimeoutMs: number,
  ): Promise<http.IncomingMessage> {
    if (this.closed) throw new KubeConnectionError(`${method} ${path}`, Object.assign(new Error('client closed'), { code: 'ERR_CLIENT_CLOSED' }));
    const [agent, creds] = await Promise.all([this.agent(), this.authHeaders()]);
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = {
      ...creds.headers,
      Accept: 'application/json',
      'User-Agent': this.userAgent,
    };
    if (payload) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const lib = this.secure ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent, signal });
      let response: http.IncomingMessage | undefined;
      req.setTimeout(idleTimeoutMs, () => {
        const err = Object.assign(new Error(`no data for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        // once the answer is streaming, its reader must see the timeout rather than a bare reset
        response?.destroy(err);
        req.destroy(err);
      });
      req.once('response', res => {
        response = res;
        resolve(res);
      });
      req.once('error', err => reject(signal?.aborted ? err : new KubeConnectionError(`${method} ${path}`, err)));
      req.end(payload);
    });
  }
}

function writeQuery(options: WriteOptions): Query {
  return { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
}

function requireName(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind ?? 'object'} has no metadata.name`);
  return name;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => {
      if (!res.complete) reject(Object.assign(new Error('response cut'), { code: 'ECONNRESET' }));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.once('error', reject);
    res.once('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
  });
}
