import type { FleetStore } from '../store/FleetStore';

/** One open agent stream. */
export interface AgentSession {
  cluster: string;
  /** Ends the stream, telling the agent why (an HTTP status and a message). */
  end(status: number, message: string): void;
}

/** Options of {@link AgentSessions}. */
export interface AgentSessionsOptions {
  store: FleetStore;
  /**
   * How long a pull cluster may be without an agent stream before it is marked unreachable
   * (an agent reconnecting after a network blip should not flap the UI). Default 30 s.
   */
  graceMs?: number;
  /**
   * Told how many streams of a cluster this replica holds whenever that changes or an agent is
   * heard from, so that other replicas know the cluster is connected (errors are its own).
   */
  onStreams?: (cluster: string, streams: number) => void;
}

/**
 * The agent streams open on this replica, per cluster, and the connection state they imply:
 * a cluster is `connected` while one of its agents holds a stream and `unreachable` (its data
 * stale, with the time it was last heard from) once none has for `graceMs`.
 */
export class AgentSessions {
  private readonly store: FleetStore;
  private readonly graceMs: number;
  private readonly sessions = new Map<string, Set<AgentSession>>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private readonly onStreams: (cluster: string, streams: number) => void;

  constructor(options: AgentSessionsOptions) {
    this.store = options.store;
    this.graceMs = options.graceMs ?? 30_000;
    this.onStreams = options.onStreams ?? (() => undefined);
  }

  open(session: AgentSession): () => void {
    const { cluster } = session;
    let set = this.sessions.get(cluster);
    if (!set) this.sessions.set(cluster, (set = new Set()));
    set.add(session);
    clearTimeout(this.graceTimers.get(cluster));
    this.graceTimers.delete(cluster);
    this.markConnected(cluster, new Date());
    this.onStreams(cluster, set.size);
    return () => this.close(session);
  }

  /** Notes that an agent of `cluster` holding a stream here was heard from. */
  heardFrom(cluster: string): void {
    this.store.markSeen(cluster);
    const streams = this.sessions.get(cluster)?.size ?? 0;
    if (streams > 0) this.onStreams(cluster, streams);
  }

  /**
   * Notes that another replica heard from an agent of `cluster` at `at`: the cluster is
   * connected, and is marked unreachable once no replica has heard from it for the grace period.
   */
  heardElsewhere(cluster: string, at: Date): void {
    if (this.sessions.has(cluster) || !this.store.cluster(cluster)) return;
    this.markConnected(cluster, at);
    this.startGrace(cluster, 'the cluster agent is not connected to any replica');
  }

  /** Announces `cluster` connected, or only notes when it was last heard from (never going back in time). */
  private markConnected(cluster: string, heardAt: Date): void {
    const connection = this.store.cluster(cluster)?.connection;
    if (!connection) return;
    const lastSeen = heardAt.toISOString();
    if (connection.state !== 'connected') {
      this.store.connectionChanged(cluster, { state: 'connected', since: new Date().toISOString(), lastSeen });
    } else if (!connection.lastSeen || connection.lastSeen < lastSeen) this.store.markSeen(cluster, heardAt);
  }

  /**
   * Expects an agent for `cluster` within the grace period (after a backend start: clusters
   * whose agents do not come back are marked unreachable rather than left pending).
   */
  expect(cluster: string): void {
    if (this.sessions.has(cluster) || this.graceTimers.has(cluster)) return;
    this.startGrace(cluster, 'no agent has connected since the control plane started');
  }

  /** Ends every stream of `cluster` (its token was rotated or revoked). */
  endAll(cluster: string, status: number, message: string): void {
    for (const session of [...(this.sessions.get(cluster) ?? [])]) session.end(status, message);
  }

  /** Ends every stream (shutdown). */
  stop(): void {
    for (const cluster of [...this.sessions.keys()]) this.endAll(cluster, 503, 'the control plane is shutting down');
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  private close(session: AgentSession): void {
    const set = this.sessions.get(session.cluster);
    if (!set?.delete(session)) return;
    this.onStreams(session.cluster, set.size);
    if (set.size > 0) return;
    this.sessions.delete(session.cluster);
    this.startGrace(session.cluster, 'the cluster agent is not connected');
  }

  private startGrace(cluster: string, error: string): void {
    clearTimeout(this.graceTimers.get(cluster));
    const timer = setTimeout(() => {
      this.graceTimers.delete(cluster);
      if (this.sessions.has(cluster)) return;
      const entry = this.store.cluster(cluster);
      if (!entry) return;
      this.store.connectionChanged(cluster, {
        state: 'unreachable',
        since: new Date().toISOString(),
        ...(entry.connection.lastSeen ? { lastSeen: entry.connection.lastSeen } : {}),
        error,
      });
    }, this.graceMs);
    timer.unref();
    this.graceTimers.set(cluster, timer);
  }
}
