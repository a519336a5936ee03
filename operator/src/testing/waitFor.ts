type Falsy = undefined | null | false | '' | 0;

/**
 * Polls `check` until it returns a truthy value (errors count as "not yet"), and returns it.
 * The deadline is generous: this waits for something to happen, it does not time it.
 *
 * @public
 */
export async function waitFor<T>(
  check: () => T | Falsy | Promise<T | Falsy>,
  what: string | (() => string),
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const text = typeof what === 'string' ? what : what();
      throw new Error(`timed out waiting for ${text}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise(r => setTimeout(r, 20));
  }
}
