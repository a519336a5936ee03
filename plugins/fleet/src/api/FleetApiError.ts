/**
 * An error answered by the fleet backend. `message` is the backend's own message (it names
 * the field, the cluster or the precondition), so it can be shown to people as is.
 * @public
 */
export class FleetApiError extends Error {
  /** HTTP status code of the response. */
  readonly statusCode: number;

  constructor(options: { name?: string; message: string; statusCode: number }) {
    super(options.message);
    this.name = options.name ?? 'FleetApiError';
    this.statusCode = options.statusCode;
  }

  /**
   * Reads a failed response. Backstage error JSON (`{ error: { name, message } }`) gives the
   * message; anything else (a proxy's HTML page, an empty body) falls back to the status line.
   */
  static async fromResponse(response: Response): Promise<FleetApiError> {
    const text = await response.text().catch(() => '');
    const backendError = readBackstageError(text);
    if (backendError) {
      return new FleetApiError({
        ...backendError,
        statusCode: response.status,
      });
    }
    const statusLine = `${response.status} ${response.statusText}`.trim();
    return new FleetApiError({
      message: `Fleet backend answered ${statusLine}`,
      statusCode: response.status,
    });
  }
}

function readBackstageError(
  text: string,
): { name?: string; message: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('error' in body)) {
    return undefined;
  }
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (typeof message !== 'string' || message === '') return undefined;
  return { name: typeof name === 'string' ? name : undefined, message };
}
