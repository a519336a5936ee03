import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { TokenGrant } from '../server/authorizer';
import type { ResourceStore } from '../store/ResourceStore';
import type { KubeObject } from '../types';

/** The type and annotations of a legacy service-account token Secret. */
export const SA_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const LEGACY_ISSUER = 'kubernetes/serviceaccount';
const CACHE_LIMIT = 10_000;

interface Claims {
  iss: string;
  sub: string;
  exp?: number;
  namespace: string;
  name: string;
  uid: string;
  secret?: string;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * Service-account tokens of one cluster: JWTs shaped like kube's (bound tokens as `kubectl
 * create token` returns, legacy ones for token Secrets), signed with a key made at start
 * (HS256, since nothing outside the cluster verifies them). A token authenticates while its
 * ServiceAccount exists with the same uid, its Secret (for legacy tokens) still holds it, and
 * it has not expired.
 */
export class ServiceAccountTokens {
  private readonly key = randomBytes(32);
  private readonly verified = new Map<string, Claims>();

  constructor(
    private readonly serviceAccounts: () => ResourceStore,
    private readonly secrets: () => ResourceStore,
  ) {}

  private sign(payload: Record<string, unknown>): string {
    const header = b64url(JSON.stringify({ alg: 'HS256', kid: 'kube-sim' }));
    const body = b64url(JSON.stringify(payload));
    const signature = createHmac('sha256', this.key).update(`${header}.${body}`).digest('base64url');
    return `${header}.${body}.${signature}`;
  }

  /** A bound token for a ServiceAccount, as the TokenRequest API issues. */
  issue(serviceAccount: KubeObject, expirationSeconds = 3600, audiences: string[] = [ISSUER]): string {
    const { namespace, name, uid } = serviceAccount.metadata;
    const now = Math.floor(Date.now() / 1000);
    return this.sign({
      aud: audiences,
      exp: now + expirationSeconds,
      iat: now,
      iss: ISSUER,
      jti: randomUUID(),
      'kubernetes.io': { namespace, serviceaccount: { name, uid } },
      nbf: now,
      sub: `system:serviceaccount:${namespace}:${name}`,
    });
  }

  /** A token for a token Secret, as kube's legacy token controller writes into `data.token`. */
  issueLegacy(serviceAccount: KubeObject, secretName: string): string {
    const { namespace, name, uid } = serviceAccount.metadata;
    return this.sign({
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/namespace': namespace,
      'kubernetes.io/serviceaccount/secret.name': secretName,
      'kubernetes.io/serviceaccount/service-account.name': name,
      'kubernetes.io/serviceaccount/service-account.uid': uid,
      sub: `system:serviceaccount:${namespace}:${name}`,
      jti: randomUUID(),
    });
  }

  private verify(token: string): Claims | undefined {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    let claims: Claims;
    if (payload.iss === LEGACY_ISSUER) {
      claims = {
        iss: LEGACY_ISSUER,
        sub: payload.sub as string,
        namespace: payload['kubernetes.io/serviceaccount/namespace'] as string,
        name: payload['kubernetes.io/serviceaccount/service-account.name'] as string,
        uid: payload['kubernetes.io/serviceaccount/service-account.uid'] as string,
        secret: payload['kubernetes.io/serviceaccount/secret.name'] as string,
      };
    } else {
      const kube = payload['kubernetes.io'] as { namespace: string; serviceaccount: { name: string; uid: string } };
      claims = { iss: ISSUER, sub: payload.sub as string, exp: payload.exp as number, namespace: kube.namespace, name: kube.serviceaccount.name, uid: kube.serviceaccount.uid };
    }
    if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  /** The grant of a valid service-account token; its rules are empty, so RBAC alone decides. */
  readonly authenticate = (token: string): TokenGrant | undefined => {
    const claims = this.verify(token);
    if (!claims) return undefined;
    if (claims.exp !== undefined && claims.exp * 1000 < Date.now()) return undefined;
    const account = this.serviceAccounts().get(`${claims.namespace}/${claims.name}`);
    if (!account || account.metadata.uid !== claims.uid || account.metadata.deletionTimestamp) return undefined;
    if (claims.secret !== undefined) {
      const secret = this.secrets().get(`${claims.namespace}/${claims.secret}`);
      const stored = (secret?.data as Record<string, string> | undefined)?.token;
      if (!stored || Buffer.from(stored, 'base64').toString('utf8') !== token) return undefined;
    }
    return {
      token,
      user: {
        username: claims.sub,
        uid: claims.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${claims.namespace}`, 'system:authenticated'],
      },
      rules: [],
    };
  };
}
