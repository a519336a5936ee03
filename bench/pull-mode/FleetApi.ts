/* The fleet API as the bench's user calls it: the guest of the auth backend. */
import {
  ClusterSummary,
  FleetEvent,
  SseParser,
} from '@vworkspace/backstage-plugin-fleet-common';
import { until } from '../common/measure';

/** The bench's user: the guest of the auth backend, with a token from its refresh endpoint. */
export class FleetApi {
  private token?: string;

  constructor(private readonly base: string) {}

  private async signIn(): Promise<string> {
    const res = await fetch(`${this.base}/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    if (!res.ok)
      throw new Error(
        `guest sign-in answered ${res.status}: ${(await res.text()).slice(
          0,
          300,
        )}`,
      );
    const body = (await res.json()) as { backstageIdentity: { token: string } };
    this.token = body.backstageIdentity.token;
    return this.token;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const token = this.token ?? (await this.signIn());
    const call = (t: string) =>
      fetch(`${this.base}${path}`, {
        ...init,
        headers: { ...init.headers, Authorization: `Bearer ${t}` },
      });
    const res = await call(token);
    if (res.status !== 401) return res;
    await res.body?.cancel();
    return call(await this.signIn());
  }

  async json<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await this.fetch(path, init);
    if (!res.ok)
      throw new Error(
        `${init?.method ?? 'GET'} ${path} answered ${res.status}: ${(
          await res.text()
        ).slice(0, 300)}`,
      );
    return (await res.json()) as T;
  }

  post(path: string, body: unknown): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}

/**
 * Registers a pull cluster and returns its join token. The registration can answer 404 "No pull
 * cluster named ..." although the cluster was stored, when the registry refresh it waits for was
 * already reading the table before the insert (see README.md); its token is then lost, and a
 * rotation, once the registry has caught up, issues a new one.
 */
export async function register(
  api: FleetApi,
  name: string,
): Promise<{ token: string; late: boolean }> {
  const res = await api.post('/fleet/clusters', {
    name,
    title: name,
    labels: { bench: 'pull-mode' },
  });
  if (res.status === 201)
    return {
      token: ((await res.json()) as { token: string }).token,
      late: false,
    };
  const body = await res.text();
  if (res.status !== 404)
    throw new Error(
      `POST /fleet/clusters (${name}) answered ${res.status}: ${body.slice(
        0,
        300,
      )}`,
    );
  let token = '';
  await until(
    async () => {
      const rotated = await api.post(`/fleet/clusters/${name}/token`, {});
      if (!rotated.ok) return false;
      token = ((await rotated.json()) as { token: string }).token;
      return true;
    },
    120_000,
    `a join token for ${name}`,
  );
  return { token, late: true };
}

/** Connected pull clusters and instances in the store, as a user sees them. */
export async function fleetState(
  api: FleetApi,
): Promise<{ connected: number; instances: number }> {
  const [clusters, page] = await Promise.all([
    api.json<{ items: ClusterSummary[] }>('/fleet/clusters'),
    api.json<{ totalCount: number }>('/fleet/instances?limit=1'),
  ]);
  return {
    connected: clusters.items.filter(
      c => c.mode === 'pull' && c.connection.state === 'connected',
    ).length,
    instances: page.totalCount,
  };
}

/**
 * Follows `GET /fleet/events` and notes when each Operation was first seen with delivery
 * `delivered`, by `cluster/namespace/name`.
 */
export async function followDeliveries(
  api: FleetApi,
  signal: AbortSignal,
): Promise<Map<string, number>> {
  const delivered = new Map<string, number>();
  const res = await api.fetch('/fleet/events', {
    headers: { Accept: 'text/event-stream' },
    signal,
  });
  if (!res.ok || !res.body)
    throw new Error(`GET /fleet/events answered ${res.status}`);
  void (async () => {
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const message of parser.push(
          decoder.decode(chunk, { stream: true }),
        )) {
          if (message.event !== 'fleet') continue;
          const event = JSON.parse(message.data) as FleetEvent;
          if (event.kind !== 'operation') continue;
          const { operation } = event;
          const key = `${operation.cluster}/${operation.namespace}/${operation.name}`;
          if (operation.delivery?.state === 'delivered' && !delivered.has(key))
            delivered.set(key, performance.now());
        }
      }
    } catch {
      // aborted at the end of the measurement
    }
  })();
  return delivered;
}
