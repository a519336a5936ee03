import { Logger } from '../log/Logger';

/**
 * What to reconcile: the namespace and name of a primary object.
 *
 * @public
 */
export interface Request {
  /** Empty for cluster-scoped kinds. */
  namespace?: string;
  name: string;
}

/**
 * What the reconciler wants next. An empty result means "done until something changes".
 * It is ignored when the reconciler throws.
 *
 * @public
 */
export interface Result {
  /** Reconcile this request again after this many milliseconds (e.g. to poll an external system). */
  requeueAfter?: number;
}

/** Per-call context handed to a reconciler. @public */
export interface ReconcileContext {
  /** Fresh per call (a UUID); also present in `logger`'s fields. */
  reconcileID: string;
  /** Carries `controller`, `reconcileID` and `object`. */
  logger: Logger;
  /** Aborted when the operator shuts down past its drain deadline: stop waiting, don't start writes. */
  signal: AbortSignal;
}

/**
 * Business logic of a controller. It must be idempotent and level-based: read the current
 * state, converge it, and return. Throwing retries the request with per-key exponential
 * backoff; throwing {@link terminalError} logs and counts the failure but does not retry.
 *
 * @public
 */
export interface Reconciler {
  reconcile(request: Request, ctx: ReconcileContext): Promise<Result | void>;
}

/**
 * An error a retry cannot fix (invalid spec, missing permission to a fixed resource...).
 * The request is dropped until the object changes again.
 *
 * @public
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** Marks `err` as terminal (keeps it as the cause). @public */
export function terminalError(err: unknown): TerminalError {
  if (err instanceof TerminalError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TerminalError(message, { cause: err });
}

/** True for errors made by {@link terminalError}, also when wrapped as a `cause`. @public */
export function isTerminalError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

/** `namespace/name` of a request, as work queue key. @public */
export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}
