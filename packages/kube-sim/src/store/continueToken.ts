import { badRequest } from '../server/StatusError';

/** What a continue token carries: the list's resourceVersion and the last key served. */
export interface ContinuePosition {
  rv: number;
  start: string;
}

/** Same shape as kube's token (base64 JSON with `v`, `rv`, `start`), opaque to clients. */
export function encodeContinue(position: ContinuePosition): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: position.rv, start: `${position.start}\u0000` }),
  ).toString('base64url');
}

export function decodeContinue(token: string): ContinuePosition {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') {
      throw new Error('bad token');
    }
    const start: string = parsed.start;
    return { rv: parsed.rv, start: start.endsWith('\u0000') ? start.slice(0, -1) : start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
