/**
 * Removes credentials from a message before it is logged or shown: bearer tokens, basic
 * credentials in URLs, and any secret the caller knows of (e.g. the cluster's configured token).
 */
export function redact(message: string, secrets: ReadonlyArray<string> = []): string {
  let out = message
    .replace(/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1[redacted]')
    .replace(/(https?:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1[redacted]@')
    .replace(/(token["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
