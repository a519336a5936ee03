import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { isConnectionError, KubeApiError, KubeConnectionError } from '@vworkspace/kube-runtime';
import { redact } from '../cluster/redact';

/** The error the API answers when a cluster cannot be reached. */
export function unreachable(cluster: string, lastError?: string): ServiceUnavailableError {
  return new ServiceUnavailableError(
    `Cluster ${cluster} is unreachable${lastError ? `: ${redact(lastError)}` : ''}; nothing was changed, try again later`,
  );
}

type Mapper = (cluster: string, message: string, what: string) => Error;

/** Kubernetes answers, by HTTP code, as the errors the API gives its callers. */
const byCode: Record<number, Mapper> = {
  400: (c, m) => new InputError(`Cluster ${c} rejected the request: ${m}`),
  404: (c, m) => new NotFoundError(`Not found in cluster ${c}: ${m}`),
  409: (c, m) => new ConflictError(`Cluster ${c} reported a conflict: ${m}`),
  422: (c, m, what) => new InputError(`Cluster ${c} rejected the ${what}: ${m}`),
};

/**
 * Translates a failed call to a cluster about `what` (an Operation, an ApplicationInstance) into
 * an API error that names the cluster, without credentials: validation and admission refusals are the caller's to fix (400), transport
 * failures and server errors are 503.
 */
export function fromClusterError(cluster: string, error: unknown, what = 'Operation'): Error {
  if (error instanceof KubeApiError) {
    const message = redact(error.status?.message || error.message);
    if (error.code === 403 && /denied the request/i.test(message)) {
      return new InputError(`Cluster ${cluster} refused the ${what}: ${message}`);
    }
    const mapper = byCode[error.code];
    if (mapper) return mapper(cluster, message, what);
    return unreachable(cluster, `${error.code} ${error.reason}: ${message}`.trim());
  }
  if (error instanceof KubeConnectionError || isConnectionError(error)) {
    return unreachable(cluster, (error as Error).message);
  }
  return unreachable(cluster, error instanceof Error ? error.message : String(error));
}
