/**
 * Kubernetes API errors and the predicates controllers branch on.
 *
 * @packageDocumentation
 */

/** The `Status` object the API server returns with a failure. @public */
export interface KubeStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    retryAfterSeconds?: number;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
  };
}

/**
 * A non-2xx answer of the API server (or an ERROR watch event), decoded.
 *
 * @public
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** HTTP status code (for watch ERROR events, the Status' code). */
  readonly code: number;
  /** `Status.reason`, e.g. `NotFound`, `Conflict`, `Expired`; empty when the body was not a Status. */
  readonly reason: string;
  /** The decoded Status body, when there was one. */
  readonly status?: KubeStatus;
  /** The Retry-After header in seconds, when the server sent one. */
  readonly retryAfterHeader?: number;
  /** HTTP method and path of the failed request, for logs. */
  readonly request?: string;

  constructor(options: {
    code: number;
    status?: KubeStatus;
    retryAfterHeader?: number;
    request?: string;
    message?: string;
  }) {
    const reason = options.status?.reason ?? '';
    super(
      options.message ??
        `${options.request ? `${options.request}: ` : ''}${options.code} ${reason}${
          options.status?.message ? `: ${options.status.message}` : ''
        }`.trim(),
    );
    this.code = options.code;
    this.reason = reason;
    this.status = options.status;
    this.retryAfterHeader = options.retryAfterHeader;
    this.request = options.request;
  }
}

/** Reasons by HTTP code, for bodies that are not a Status (e.g. a proxy's HTML 503). */
const reasonByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * Builds a {@link KubeApiError} from a response code and raw body; bodies that are not a
 * Status get a synthetic one so predicates keep working.
 *
 * @public
 */
export function decodeApiError(
  code: number,
  body: string,
  options: { retryAfter?: string | string[]; request?: string } = {},
): KubeApiError {
  let status: KubeStatus | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && (parsed as KubeStatus).kind === 'Status') status = parsed as KubeStatus;
  } catch {
    // not JSON: fall through to the synthetic Status
  }
  status ??= {
    kind: 'Status',
    status: 'Failure',
    code,
    reason: reasonByCode[code] ?? '',
    message: body.slice(0, 300),
  };
  const header = Array.isArray(options.retryAfter) ? options.retryAfter[0] : options.retryAfter;
  const parsedHeader = header !== undefined ? Number(header) : NaN;
  return new KubeApiError({
    code,
    status,
    retryAfterHeader: Number.isFinite(parsedHeader) && parsedHeader >= 0 ? parsedHeader : undefined,
    request: options.request,
  });
}

/** Wraps a Status carried by a watch ERROR event. @public */
export function errorFromStatus(status: KubeStatus, request?: string): KubeApiError {
  return new KubeApiError({ code: status.code ?? 500, status, request });
}

function apiError(err: unknown): KubeApiError | undefined {
  return err instanceof KubeApiError ? err : undefined;
}

/** 404 Not Found. @public */
export function isNotFound(err: unknown): boolean {
  return apiError(err)?.code === 404;
}

/** 409 with reason Conflict (stale resourceVersion), not AlreadyExists. @public */
export function isConflict(err: unknown): boolean {
  const e = apiError(err);
  return e?.code === 409 && e.reason !== 'AlreadyExists';
}

/** 409 AlreadyExists on create. @public */
export function isAlreadyExists(err: unknown): boolean {
  const e = apiError(err);
  return e?.code === 409 && e.reason === 'AlreadyExists';
}

/** 410 Gone / Expired: a resourceVersion or continue token is older than the server's history. @public */
export function isGone(err: unknown): boolean {
  const e = apiError(err);
  return e?.code === 410 || e?.reason === 'Expired' || e?.reason === 'Gone';
}

/**
 * 504 "Too large resource version": the server has not seen the requested resourceVersion
 * (e.g. it was restarted with its state wiped); only a fresh list recovers.
 *
 * @public
 */
export function isTooLargeResourceVersion(err: unknown): boolean {
  const e = apiError(err);
  if (!e || e.code !== 504) return false;
  const causes = e.status?.details?.causes ?? [];
  return (
    causes.some(c => c.reason === 'ResourceVersionTooLarge') || /too large resource version/i.test(e.status?.message ?? '')
  );
}

/** 429 Too Many Requests. @public */
export function isTooManyRequests(err: unknown): boolean {
  return apiError(err)?.code === 429;
}

/** 422 Invalid (validation failed: retrying the same object cannot succeed). @public */
export function isInvalid(err: unknown): boolean {
  return apiError(err)?.code === 422;
}

/** 403 Forbidden. @public */
export function isForbidden(err: unknown): boolean {
  return apiError(err)?.code === 403;
}

/** 5xx other than the 504 that means "too large resource version". @public */
export function isServerError(err: unknown): boolean {
  const e = apiError(err);
  return !!e && e.code >= 500 && !isTooLargeResourceVersion(e);
}

/**
 * Seconds the server asked us to wait (Retry-After header, else `details.retryAfterSeconds`),
 * or undefined.
 *
 * @public
 */
export function retryAfterSeconds(err: unknown): number | undefined {
  const e = apiError(err);
  if (!e) return undefined;
  return e.retryAfterHeader ?? e.status?.details?.retryAfterSeconds;
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** A transport failure (nothing, or no complete answer, came back from the server). @public */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && connectionCodes.has(code);
}

/** The connection was refused: nothing reached the server, so any request is safe to retry. @public */
export function isConnectionRefused(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === 'ECONNREFUSED';
}

/**
 * A transport failure of one request, keeping Node's error `code` (ECONNREFUSED, ECONNRESET,
 * ETIMEDOUT...) so {@link isConnectionError} works on it.
 *
 * @public
 */
export class KubeConnectionError extends Error {
  override readonly name = 'KubeConnectionError';
  readonly code: string;

  constructor(request: string, cause: unknown) {
    const code = (cause as { code?: unknown } | undefined)?.code;
    super(`${request}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.code = typeof code === 'string' ? code : 'ECONNRESET';
  }
}
