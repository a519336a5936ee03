import { readFileSync } from 'node:fs';

/**
 * Reads the join token from its file (a mounted Secret), again on every connection so that a
 * rotated token is picked up without a restart.
 */
export function readJoinToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (!token) throw new Error(`the join token file ${path} is empty`);
  return token;
}

/** The cluster a join token speaks for: tokens look like `vwf.<cluster>.<secret>`. */
export function clusterOfJoinToken(token: string): string | undefined {
  return /^vwf\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.[A-Za-z0-9_-]+$/.exec(token)?.[1];
}

/** The agent API under a control plane URL: the backend's base URL, or its `/api/fleet`. */
export function agentApiBase(controlPlane: string): string {
  const base = controlPlane.replace(/\/+$/, '');
  return `${base.endsWith('/api/fleet') ? base : `${base}/api/fleet`}/agent/v1`;
}
