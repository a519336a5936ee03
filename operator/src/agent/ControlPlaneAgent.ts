import {
  AgentReport,
  AgentStreamMessage,
  agentStreamMessageSchema,
  apiResources,
  controlPlaneFieldManager,
} from '@vworkspace/backstage-plugin-fleet-common';
import {
  BackoffManager,
  BackoffOptions,
  Informer,
  isConnectionError,
  isServerError,
  isTooManyRequests,
  KubeClient,
  KubeObject,
  Logger,
  ResourceKind,
} from '@vworkspace/kube-runtime';
import { agentApiBase, clusterOfJoinToken } from './joinToken';
import { ndjsonLines } from './ndjsonLines';

/** Options of {@link ControlPlaneAgent}. @public */
export interface ControlPlaneAgentOptions {
  /** The control plane: the Backstage backend's URL (or its `/api/fleet`). */
  controlPlane: string;
  /** The join token, read again on every connection (rotation needs no restart). */
  token: () => string;
  client: KubeClient;
  /** Namespace to report and apply in; empty for all. */
  namespace?: string;
  logger: Logger;
  /** Reconnect backoff. Default 1 s doubling to 60 s, with full jitter. */
  backoff?: BackoffOptions;
  /** Changes are sent in batches this often. Default 500 ms. */
  reportIntervalMs?: number;
  /** A stream silent this long (no intent, no heartbeat) is dropped and opened again. Default 60 s. */
  idleTimeoutMs?: number;
  /**
   * Most changes held for the next batch; beyond it they are dropped and a full snapshot is
   * sent instead (on a new connection). Default 10,000.
   */
  maxPendingChanges?: number;
  /** HTTP client. Default the global fetch. */
  fetch?: typeof fetch;
  /**
   * Shared caches to report from (the operator manager's, which it runs): no second list+watch.
   * Without them the agent runs its own.
   */
  informers?: { instances: Informer; operations: Informer };
}

const kinds = { instance: apiResources.ApplicationInstance, operation: apiResources.Operation } satisfies Record<string, ResourceKind>;
type KindName = keyof typeof kinds;

/** A change waiting for the next report: the object, or null once it is gone. */
interface PendingChange {
  kind: KindName;
  namespace: string;
  name: string;
  object: KubeObject | null;
}

/** The control plane refused us: retrying with the same token will not help until it changes. */
class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

/** The cluster API failed in a way worth retrying: leave the intent unacknowledged. */
function isTransient(error: unknown): boolean {
  return isConnectionError(error) || isServerError(error) || isTooManyRequests(error);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The operator's side of pull mode: connects out to the control plane's agent API, applies the
 * intent it streams (new Operations, cancels, instance changes) with server-side apply under the field manager
 * `vworkspace-control-plane`, acknowledges each with the object's uid and resourceVersion (or
 * the cluster's error), and reports the cluster's ApplicationInstances and Operations: a full
 * snapshot on every connection, then batched changes.
 *
 * Delivery is at least once (the control plane resends whatever was not acknowledged) and
 * Operations have deterministic names, so applying twice changes nothing. While the control
 * plane is away, nothing accumulates: changes are not recorded (the next snapshot carries the
 * truth) and the agent retries with jittered exponential backoff, resuming after the last
 * intent it acknowledged. The controllers run on regardless.
 *
 * @public
 */
export class ControlPlaneAgent {
  private readonly options: ControlPlaneAgentOptions;
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly logger: Logger;
  private readonly informers: Record<KindName, Informer>;
  private readonly ownInformers: boolean;
  private readonly backoff: BackoffManager;
  private readonly maxPending: number;
  private readonly pending = new Map<string, PendingChange>();
  private connected = false;
  private cursor = 0;
  private stream?: AbortController;
  private running?: Promise<void>;
  /** One batch at a time, so that a slow answer cannot let an older state overtake a newer one. */
  private flushing = false;

  constructor(options: ControlPlaneAgentOptions) {
    this.options = options;
    this.base = agentApiBase(options.controlPlane);
    this.fetch = options.fetch ?? fetch;
    this.logger = options.logger.child({ component: 'control-plane-agent' });
    this.backoff = new BackoffManager({ initialMs: 1_000, maxMs: 60_000, ...options.backoff });
    this.maxPending = options.maxPendingChanges ?? 10_000;
    this.ownInformers = !options.informers;
    this.informers = options.informers
      ? { instance: options.informers.instances, operation: options.informers.operations }
      : {
          instance: new Informer({ client: options.client, kind: kinds.instance, namespace: options.namespace, logger: this.logger }),
          operation: new Informer({ client: options.client, kind: kinds.operation, namespace: options.namespace, logger: this.logger }),
        };
    for (const kind of Object.keys(kinds) as KindName[]) {
      this.informers[kind].addEventHandler({
        onAdd: obj => this.record(kind, obj, obj),
        onUpdate: (_old, obj) => this.record(kind, obj, obj),
        onDelete: obj => this.record(kind, obj, null),
      });
    }
  }

  /** Changes waiting for the next batch (none while disconnected). */
  get pendingChanges(): number {
    return this.pending.size;
  }

  /** Last intent applied and acknowledged; the stream resumes after it. */
  get lastAcknowledged(): number {
    return this.cursor;
  }

  /** Runs until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    this.running ??= this.loop(signal);
    return this.running;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    if (this.ownInformers) for (const informer of Object.values(this.informers)) void informer.run(signal);
    await Promise.race([
      Promise.all(Object.values(this.informers).map(i => i.waitForSync())),
      new Promise(resolve => signal.addEventListener('abort', resolve, { once: true })),
    ]);
    const flusher = setInterval(() => {
      this.flush().catch(error => this.dropConnection(`sending changes failed: ${errorMessage(error)}`));
    }, this.options.reportIntervalMs ?? 500);
    try {
      while (!signal.aborted) {
        try {
          await this.session(signal);
        } catch (error) {
          if (signal.aborted) break;
          const message = errorMessage(error);
          if (error instanceof RefusedError) this.logger.error(`The control plane refused this cluster: ${message}`);
          else this.logger.warn(`Connection to the control plane lost: ${message}`);
        }
        if (!signal.aborted) await this.backoff.wait(signal);
      }
    } finally {
      clearInterval(flusher);
      this.connected = false;
    }
  }

  /** One connection: snapshot, then the stream of intent until it ends. */
  private async session(signal: AbortSignal): Promise<void> {
    const token = this.options.token();
    const cluster = clusterOfJoinToken(token);
    if (!cluster) throw new RefusedError('the join token is not one the control plane issued (vwf.<cluster>.<secret>)');
    const stream = new AbortController();
    this.stream = stream;
    const abort = () => stream.abort();
    signal.addEventListener('abort', abort, { once: true });
    let idle: NodeJS.Timeout | undefined;
    const resetIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => stream.abort(new Error('the stream went silent')), this.options.idleTimeoutMs ?? 60_000);
    };
    try {
      // changes from here on are sent after the snapshot, which reads the caches after this
      this.pending.clear();
      this.connected = true;
      await this.post('report', token, this.snapshot(cluster), stream.signal);
      const query = new URLSearchParams({ cluster, cursor: String(this.cursor) });
      const res = await this.fetch(`${this.base}/stream?${query}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' },
        signal: stream.signal,
      });
      if (!res.ok || !res.body) throw await this.failure(res);
      this.logger.info('Connected to the control plane', { cluster, cursor: this.cursor });
      this.backoff.reset();
      resetIdle();
      for await (const line of ndjsonLines(res.body)) {
        resetIdle();
        const parsed = agentStreamMessageSchema.safeParse(line);
        if (!parsed.success) {
          this.logger.warn('Ignored a stream message this agent does not understand');
          continue;
        }
        const message = parsed.data;
        if (message.type === 'heartbeat') continue;
        if (message.type === 'end') {
          if (message.status === 401 || message.status === 403) throw new RefusedError(message.message);
          throw new Error(`the control plane ended the stream: ${message.message}`);
        }
        await this.handle(cluster, token, message, stream.signal);
      }
      throw new Error('the stream ended');
    } catch (error) {
      // an abort of ours carries its reason; report that rather than "aborted"
      if (stream.signal.aborted && stream.signal.reason instanceof Error && !signal.aborted) throw stream.signal.reason;
      throw error;
    } finally {
      clearTimeout(idle);
      signal.removeEventListener('abort', abort);
      this.connected = false;
      // superseded by the snapshot of the next connection
      this.pending.clear();
      if (this.stream === stream) this.stream = undefined;
      stream.abort();
    }
  }

  /** Applies one intent and acknowledges it; a transient cluster error leaves it for redelivery. */
  private async handle(
    cluster: string,
    token: string,
    message: Extract<AgentStreamMessage, { type: 'apply' | 'applyInstance' | 'cancel' }>,
    signal: AbortSignal,
  ): Promise<void> {
    let outcome: { uid: string; resourceVersion: string } | { error: string };
    try {
      const result = await this.apply(message, signal);
      outcome = { uid: result.metadata?.uid ?? '', resourceVersion: result.metadata?.resourceVersion ?? '' };
      if (!outcome.uid || !outcome.resourceVersion) throw new Error('the cluster answered without uid or resourceVersion');
    } catch (error) {
      if (signal.aborted || isTransient(error)) throw error;
      outcome = { error: errorMessage(error) };
      this.logger.warn(`Intent ${message.seq} (${message.type}) refused by the cluster: ${outcome.error}`);
    }
    await this.post('ack', token, { cluster, seq: message.seq, ...outcome }, signal);
    this.cursor = message.seq;
  }

  private apply(message: Extract<AgentStreamMessage, { type: 'apply' | 'applyInstance' | 'cancel' }>, signal: AbortSignal): Promise<KubeObject> {
    const { client } = this.options;
    switch (message.type) {
      case 'apply':
        return client.apply(kinds.operation, message.object as KubeObject, { fieldManager: controlPlaneFieldManager, signal });
      case 'applyInstance':
        // an instance's fields may belong to someone else (GitOps): taken only when asked
        return client.apply(kinds.instance, message.object as KubeObject, {
          fieldManager: controlPlaneFieldManager,
          force: message.force ?? false,
          signal,
        });
      case 'cancel':
        return client.patch(
          kinds.operation,
          message.operation.name,
          message.operation.namespace,
          { spec: { cancel: true } },
          { type: 'merge', fieldManager: controlPlaneFieldManager, signal },
        );
      default:
        throw new Error(`unknown intent ${(message as { type: string }).type}`);
    }
  }

  private snapshot(cluster: string): AgentReport {
    return {
      cluster,
      snapshot: true,
      instances: this.informers.instance.store.list().filter(reportable) as AgentReport['instances'],
      operations: this.informers.operation.store.list().filter(reportable) as AgentReport['operations'],
    };
  }

  private record(kind: KindName, obj: KubeObject, object: KubeObject | null): void {
    // while disconnected nothing is kept: the snapshot of the next connection carries the truth
    if (!this.connected) return;
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    this.pending.set(`${kind}/${namespace}/${name}`, { kind, namespace, name, object });
    if (this.pending.size > this.maxPending) this.dropConnection('too many changes waiting; a snapshot follows');
  }

  /** Sends the changes recorded since the last batch. */
  private async flush(): Promise<void> {
    if (this.flushing || !this.connected || this.pending.size === 0 || !this.stream) return;
    const signal = this.stream.signal;
    const token = this.options.token();
    const cluster = clusterOfJoinToken(token);
    if (!cluster) return;
    this.flushing = true;
    try {
      await this.sendChanges(cluster, token, signal);
    } finally {
      this.flushing = false;
    }
  }

  private async sendChanges(cluster: string, token: string, signal: AbortSignal): Promise<void> {
    const changes = [...this.pending.values()];
    this.pending.clear();
    const report: AgentReport = { cluster, snapshot: false, instances: [], operations: [], deleted: { instances: [], operations: [] } };
    for (const change of changes) {
      const list = change.kind === 'instance' ? 'instances' : 'operations';
      if (change.object && reportable(change.object)) (report[list] as KubeObject[]).push(change.object);
      else if (!change.object) report.deleted![list]!.push({ namespace: change.namespace, name: change.name });
    }
    await this.post('report', token, report, signal);
  }

  /** Ends the current connection; the loop reconnects and starts over with a snapshot. */
  private dropConnection(reason: string): void {
    if (!this.stream) return;
    this.logger.warn(`Reconnecting to the control plane: ${reason}`);
    this.connected = false;
    this.pending.clear();
    this.stream.abort(new Error(reason));
  }

  private async post(path: 'ack' | 'report', token: string, body: unknown, signal: AbortSignal): Promise<void> {
    const res = await this.fetch(`${this.base}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    if (!res.ok) throw await this.failure(res);
  }

  private async failure(res: Response): Promise<Error> {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = `${res.status}: ${body.error.message}`;
    } catch {
      // not JSON: the status says enough
    }
    return res.status === 401 || res.status === 403 ? new RefusedError(message) : new Error(message);
  }
}

/** Objects the control plane can take: namespaced, named, with a spec. */
function reportable(obj: KubeObject): boolean {
  return !!obj.metadata?.name && !!obj.metadata.namespace && !!obj.spec && typeof obj.spec === 'object';
}
