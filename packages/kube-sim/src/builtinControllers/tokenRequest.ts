import type { Apiserver } from '../server/Apiserver';
import { rfc3339 } from '../server/clock';
import { badRequest, invalid } from '../server/StatusError';
import type { StatusCause } from '../server/StatusError';
import type { KubeObject } from '../types';
import { fieldInvalid } from '../validation/fieldErrors';
import type { ServiceAccountTokens } from './ServiceAccountTokens';

/** kube-apiserver's default `--api-audiences`: the service-account issuer. */
export const API_AUDIENCES = ['https://kubernetes.default.svc.cluster.local'];

const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: unknown;
}

/**
 * The TokenRequest API, `POST .../serviceaccounts/{name}/token` (`kubectl create token`), as
 * pkg/registry/core/serviceaccount/storage/token.go answers it: the spec defaulted (an hour, the
 * API audiences) and validated (pkg/apis/authentication/validation: at least 10 minutes, at most
 * 2^32 seconds), and a bound token for the ServiceAccount in `status`.
 */
export function answerTokenRequest(apiserver: Apiserver, tokens: ServiceAccountTokens, namespace: string, name: string, body: unknown): KubeObject {
  // A missing ServiceAccount is a 404 before anything else.
  const account = apiserver.get({ group: '', version: 'v1', resource: 'serviceaccounts', namespace }, name);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body of the request was not a JSON object');
  const request = body as { apiVersion?: string; kind?: string; metadata?: { name?: string }; spec?: TokenRequestSpec };
  if (request.kind !== undefined && request.kind !== 'TokenRequest') {
    throw badRequest(`the kind in the data (${request.kind}) does not match the expected kind (TokenRequest)`);
  }
  const spec: TokenRequestSpec = { ...(request.spec ?? {}) };
  spec.expirationSeconds ??= 3600;
  if (!spec.audiences?.length) spec.audiences = API_AUDIENCES;
  const causes: StatusCause[] = [];
  if (request.metadata?.name && request.metadata.name !== name) {
    causes.push(fieldInvalid('metadata.name', request.metadata.name, 'must match the service account name if specified'));
  }
  if (spec.expirationSeconds < MIN_EXPIRATION_SECONDS) {
    causes.push(fieldInvalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 10 minutes'));
  }
  if (spec.expirationSeconds > MAX_EXPIRATION_SECONDS) {
    causes.push(fieldInvalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  }
  if (causes.length > 0) throw invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, name, causes);
  const token = tokens.issue(account, spec.expirationSeconds, spec.audiences);
  const expires = rfc3339(Date.now() + spec.expirationSeconds * 1000);
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    // The real server sends an explicit null here (a TokenRequest is never stored).
    metadata: { name, namespace, creationTimestamp: null as unknown as string },
    spec: { audiences: spec.audiences, expirationSeconds: spec.expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: expires },
  };
}
