import { KubeApiError } from '@vworkspace/kube-runtime';

/**
 * Reasons an Operation ends Failed with when the API server refuses to create what its engine
 * needs, by HTTP code. These refusals come back the same however often the same request is
 * sent: an invalid object (422, 400), an admission or authorization denial (403), a kind or
 * a referenced object that does not exist (404).
 * @public
 */
export const refusalReasons: Readonly<Record<number, string>> = {
  400: 'EngineResourceRejected',
  403: 'EngineResourceForbidden',
  404: 'EngineResourceNotFound',
  405: 'EngineResourceRejected',
  415: 'EngineResourceRejected',
  422: 'EngineResourceInvalid',
};

/** A 403 that goes away by itself: a ResourceQuota frees up when other objects finish. */
const transientForbidden = /exceeded quota|is forbidden: unable to create new content in namespace .* because it is being terminated/i;

/** The field paths of a Status' causes, with their messages, when the message does not already say them. */
function causesText(err: KubeApiError): string {
  const message = err.status?.message ?? '';
  const causes = (err.status?.details?.causes ?? []).filter(c => c.field && !message.includes(c.field));
  return causes.map(c => `${c.field}: ${c.message ?? c.reason ?? 'invalid'}`).join('; ');
}

/**
 * The refusal in `err` when retrying the same write cannot succeed: the Operation's reason and
 * a message with the server's own words and the fields it names. Undefined for anything
 * a retry may fix (conflicts, throttling, server errors, lost connections, a quota).
 * @public
 */
export function refusalOf(err: unknown): { reason: string; message: string } | undefined {
  if (!(err instanceof KubeApiError)) return undefined;
  const reason = refusalReasons[err.code];
  if (!reason) return undefined;
  const serverMessage = err.status?.message || err.message;
  if (err.code === 403 && transientForbidden.test(serverMessage)) return undefined;
  const causes = causesText(err);
  const request = err.request ? ` ${err.request}` : '';
  return {
    reason,
    message: `the API server refused${request} (${err.code} ${err.reason || reason}): ${serverMessage}${causes ? ` (${causes})` : ''}`,
  };
}

/** One line saying what went wrong, for status messages and events. @public */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
