import type {
  ClusterConnection,
  ConnectionState,
} from '@vworkspace/backstage-plugin-fleet-common';
import { redact } from '../cluster/redact';

type KindHealth = { healthy: boolean; error?: string } | undefined;

/**
 * The connection state of one cluster, from the health of each of its watched kinds: all
 * healthy is `connected`, some failing `degraded`, none healthy and some failing `unreachable`,
 * and anything before the first answer `pending`. `lastSeen` moves on every sign of life.
 */
export class ConnectionTracker {
  private readonly health = new Map<string, KindHealth>();
  private connection: ClusterConnection;

  constructor(
    kinds: ReadonlyArray<string>,
    private readonly onChange: (connection: ClusterConnection) => void,
    private readonly secrets: () => ReadonlyArray<string> = () => [],
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const kind of kinds) this.health.set(kind, undefined);
    this.connection = { state: 'pending', since: this.now().toISOString() };
  }

  get current(): ClusterConnection {
    return this.connection;
  }

  /** The kind answered: a list, a watch event, a probe. */
  ok(kind: string): void {
    this.connection = { ...this.connection, lastSeen: this.now().toISOString() };
    const before = this.health.get(kind);
    if (before?.healthy) return;
    this.health.set(kind, { healthy: true });
    this.recompute();
  }

  failed(kind: string, error: unknown): void {
    const message = redact(error instanceof Error ? error.message : String(error), this.secrets());
    this.health.set(kind, { healthy: false, error: message });
    this.recompute();
  }

  private recompute(): void {
    const values = [...this.health.values()];
    const failing = values.filter(h => h && !h.healthy);
    const healthy = values.filter(h => h?.healthy);
    let state: ConnectionState;
    if (failing.length === 0) state = healthy.length === values.length ? 'connected' : 'pending';
    else state = healthy.length === 0 ? 'unreachable' : 'degraded';
    const error = failing[0]?.error;
    if (state === this.connection.state && error === this.connection.error) return;
    const next: ClusterConnection = {
      state,
      since: state === this.connection.state ? this.connection.since : this.now().toISOString(),
      ...(this.connection.lastSeen ? { lastSeen: this.connection.lastSeen } : {}),
      ...(error ? { error } : {}),
    };
    this.connection = next;
    this.onChange(next);
  }
}
