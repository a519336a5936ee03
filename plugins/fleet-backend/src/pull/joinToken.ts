import { createHash, randomBytes } from 'node:crypto';

const prefix = 'vwf';

/**
 * A new join token for `cluster`: 256 random bits, prefixed with the cluster's name so that an
 * agent knows which cluster it speaks for (the name grants nothing: the backend looks the token
 * up by its hash).
 */
export function newJoinToken(cluster: string): string {
  return `${prefix}.${cluster}.${randomBytes(32).toString('base64url')}`;
}

/** What the database keeps of a token: its hex SHA-256 (the token is high-entropy, so no salt or stretching is needed). */
export function hashJoinToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The cluster a join token names, or undefined when it is not shaped like one. */
export function clusterOfJoinToken(token: string): string | undefined {
  const match = /^vwf\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.[A-Za-z0-9_-]{43}$/.exec(token.trim());
  return match?.[1];
}
