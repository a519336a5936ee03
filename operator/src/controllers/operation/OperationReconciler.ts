import {
  ApplicationInstance,
  getCondition,
  issuesOf,
  Operation,
  OperationEngine,
  OperationPhase,
  OperationStatus,
  operationSpecSchema,
} from '@vworkspace/backstage-plugin-fleet-common';
import { Engine, EngineContext, EngineFailure, EngineOptions, Observation, StopOutcome } from '../../engines/Engine';
import { engines as allEngines } from '../../engines';
import { operatorWrite } from '../../engines/engineResources';
import { operationKinds } from '../../engines/kinds';
import { backoffDelay, isForbidden, isNotFound, type KubeClient, type KubeObject, Logger, ReconcileContext, Reconciler, Request, Result, silentLogger } from '@vworkspace/kube-runtime';
import { acceptedReasons, admitOperation } from './admitOperation';
import {
  endedStatus,
  engineStartingReason,
  isTerminalPhase,
  metaTime,
  statusChanged,
  withConditions,
} from './operationStatus';
import { describeError, refusalOf } from './engineErrors';
import { recordEvent } from './recordEvent';

/** Finalizer that lets the controller stop an Operation's engine before the Operation goes. @public */
export const cancelFinalizer = 'ops.vworkspace.io/cancel';

/** @public */
export interface OperationReconcilerOptions {
  client: KubeClient;
  /** Operations on the same instance, from a cache: for one-mutating-operation-at-a-time. */
  listSiblings: (namespace: string, target: string) => KubeObject[];
  /** Default: the six engines. */
  engines?: Readonly<Record<OperationEngine, Engine>>;
  /** Default `velero`. */
  veleroNamespace?: string;
  /** Default `fleet-operator-profile-`. */
  profileClusterRolePrefix?: string;
  /**
   * How often a running engine resource is read again (engines whose kinds are not watched,
   * since their CRDs may be absent from a cluster), and a waiting operation re-checked.
   * Default 5 s.
   */
  pollIntervalMs?: number;
  /**
   * Longest wait between two attempts after an error reaching the engine resource (the waits
   * double from `pollIntervalMs`, and never pass the Operation's deadline). Default 60 s.
   */
  maxRetryIntervalMs?: number;
  logger?: Logger;
  now?: () => Date;
}

type OperationObject = Operation & KubeObject & { metadata: { name: string; namespace: string; uid: string } };

interface Event {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const warningPhases: ReadonlyArray<string> = ['Failed', 'TimedOut'];

/**
 * Reconciles an Operation: admission (rejection, waiting for preconditions), start of its
 * engine, following the engine resource to the end, deadline, cancel and deletion. Which engine
 * runs is the only engine-specific choice made here; each engine does the rest.
 *
 * Writes happen in an order that survives a crash at any point: the start (with what `prepare`
 * returned, such as fromVersion) is recorded in status before the engine resource is created,
 * and creating it again adopts what exists.
 * @public
 */
export class OperationReconciler implements Reconciler {
  private readonly client: KubeClient;
  private readonly listSiblings: OperationReconcilerOptions['listSiblings'];
  private readonly engines: Readonly<Record<OperationEngine, Engine>>;
  private readonly engineOptions: EngineOptions;
  private readonly pollIntervalMs: number;
  private readonly maxRetryIntervalMs: number;
  private readonly logger: Logger;
  private readonly now: () => Date;
  /** Errors in a row per Operation uid, for the backoff of retries that must still meet the deadline. */
  private readonly failures = new Map<string, number>();

  constructor(options: OperationReconcilerOptions) {
    this.client = options.client;
    this.listSiblings = options.listSiblings;
    this.engines = options.engines ?? allEngines;
    this.engineOptions = {
      veleroNamespace: options.veleroNamespace ?? 'velero',
      profileClusterRolePrefix: options.profileClusterRolePrefix ?? 'fleet-operator-profile-',
    };
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.maxRetryIntervalMs = options.maxRetryIntervalMs ?? 60_000;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
  }

  async reconcile(request: Request, rc?: ReconcileContext): Promise<Result | void> {
    const logger = rc?.logger ?? this.logger;
    let op: OperationObject;
    try {
      op = (await this.client.get(operationKinds.Operation, request.name, request.namespace)) as OperationObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (op.metadata.deletionTimestamp) return this.finalize(op, logger);
    if (isTerminalPhase(op.status?.phase)) return undefined;
    op = await this.ensureFinalizer(op);

    const parsed = operationSpecSchema.safeParse(op.spec);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const onlyParameters = issues.every(i => i.path.startsWith('parameters'));
      const message = issues.map(i => `spec.${i.path}: ${i.message}`).join('; ');
      return this.reject(op, onlyParameters ? acceptedReasons.invalidParameters : acceptedReasons.invalidSpec, message, logger);
    }
    const engine = this.engines[parsed.data.engine];
    // No timeoutSeconds means the engine's own deadline (a Velero backup takes longer than a Job).
    const spec = { ...parsed.data, timeoutSeconds: parsed.data.timeoutSeconds ?? engine.defaultTimeoutSeconds };
    op = { ...op, spec } as OperationObject;
    const now = this.now();
    const accepted = getCondition(op.status?.conditions, 'Accepted')?.status === 'True';

    if (!accepted) {
      if (spec.cancel) {
        return this.end(op, { phase: 'Cancelled', reason: 'Cancelled', message: 'cancelled before it started' }, logger);
      }
      const target = await this.getTarget(op);
      const ctx = target ? this.context(op, target) : undefined;
      const decision = admitOperation({
        subject: { name: op.metadata.name, namespace: op.metadata.namespace, creationTimestamp: op.metadata.creationTimestamp, spec },
        target,
        siblings: this.listSiblings(op.metadata.namespace, spec.target.applicationInstance),
        engine,
        context: ctx,
      });
      if (decision.kind === 'reject') return this.reject(op, decision.reason, decision.message, logger);
      if (decision.kind === 'accept' && engine.check) {
        const refusal = await this.checkBeforeStart(op, engine, ctx!, spec.timeoutSeconds, logger);
        if (refusal) return refusal.result;
      }
      if (decision.kind === 'wait') {
        // Waiting counts against the deadline too: every wait has one.
        const deadline = admissionDeadline(op, spec.timeoutSeconds, now);
        if (now.getTime() >= deadline) {
          return this.end(
            op,
            { phase: 'TimedOut', reason: 'TimedOut', message: `not started within ${spec.timeoutSeconds}s: ${decision.message}` },
            logger,
          );
        }
        const status = withConditions(
          { ...op.status, phase: 'Pending', message: decision.message, observedGeneration: op.metadata.generation },
          [{ type: 'Accepted', status: 'Unknown', reason: decision.reason, message: decision.message }],
          op.metadata.generation,
          now,
        );
        const previous = getCondition(op.status?.conditions, 'Accepted')?.reason;
        await this.writeStatus(
          op,
          status,
          previous !== decision.reason ? { type: 'Normal', reason: decision.reason, message: decision.message } : undefined,
          logger,
        );
        return { requeueAfter: Math.min(this.pollIntervalMs, Math.max(deadline - now.getTime(), 1)) };
      }
      const recorded = { ...(op.status?.result ?? {}), ...((await engine.prepare?.(ctx!)) ?? {}) };
      const ref = engine.ref(ctx!);
      const message = `started by engine ${engine.name}: ${describeRef(ref)}`;
      const status = withConditions(
        {
          ...op.status,
          phase: 'Running',
          message,
          startedAt: metaTime(now),
          engineRef: ref,
          result: recorded,
          observedGeneration: op.metadata.generation,
        },
        [
          { type: 'Accepted', status: 'True', reason: acceptedReasons.accepted, message: 'preconditions met' },
          { type: 'Running', status: 'True', reason: engineStartingReason, message },
        ],
        op.metadata.generation,
        now,
      );
      op = await this.writeStatus(op, status, { type: 'Normal', reason: 'Started', message }, logger);
    }
    return this.follow(op, engine, logger);
  }

  /** The running part: start or read the engine resource, map its status, deadline, cancel. */
  private async follow(op: OperationObject, engine: Engine, logger: Logger): Promise<Result | void> {
    const now = this.now();
    const target = await this.getTarget(op);
    const ctx = this.context(op, target ?? placeholderTarget(op));
    const starting = getCondition(op.status?.conditions, 'Running')?.reason === engineStartingReason;
    const startedAt = Date.parse(op.status?.startedAt ?? metaTime(now));
    const timeoutSeconds = op.spec.timeoutSeconds ?? engine.defaultTimeoutSeconds;
    const deadline = startedAt + timeoutSeconds * 1000;
    let resource: KubeObject | undefined;
    try {
      if (starting && !target) {
        return this.end(op, { phase: 'Failed', reason: acceptedReasons.targetNotFound, message: 'the target went away before the engine started' }, logger);
      }
      resource = starting ? await engine.start(ctx) : await engine.get(ctx);
    } catch (err) {
      if (err instanceof EngineFailure) return this.end(op, { phase: 'Failed', reason: err.reason, message: err.message }, logger);
      // Creating is refused for good (invalid, forbidden, missing): the same request would be
      // refused again. Reading a running engine's resource is different: access may come back.
      const refusal = starting ? refusalOf(err) : undefined;
      if (refusal) {
        const missing = engine.requires && (isForbidden(err) || isNotFound(err)) ? `; the ${engine.name} engine needs ${engine.requires}` : '';
        return this.end(op, { phase: 'Failed', reason: refusal.reason, message: `${refusal.message}${missing}` }, logger);
      }
      return this.retryBeforeDeadline(op, engine, ctx, err, deadline, timeoutSeconds, logger);
    }
    this.failures.delete(op.metadata.uid);
    const ref = op.status?.engineRef;
    const refText = ref ? describeRef(ref) : 'engine resource';
    if (!resource) {
      if (op.spec.cancel) return this.end(op, { phase: 'Cancelled', reason: 'Cancelled', message: `cancelled; ${refText} is gone` }, logger);
      return this.end(op, { phase: 'Failed', reason: 'EngineResourceGone', message: `${refText} was deleted before it finished` }, logger);
    }

    let observation = engine.observe(ctx, resource);
    if (!observation.status.terminal && engine.diagnose) {
      const why = await engine.diagnose(ctx, resource).catch((error: unknown) => {
        // Only an explanation: without it the Operation still runs to its outcome or deadline.
        logger.debug('could not diagnose the engine resource', { error });
        return undefined;
      });
      if (why) observation = { ...observation, status: { ...observation.status, reason: 'FailedCreate', message: why } };
    }
    if (observation.status.phase === 'Failed' && engine.recover) observation = await this.recover(engine, ctx, resource, observation, logger);
    let stop: StopOutcome | undefined;
    if (op.spec.cancel) {
      try {
        stop = await engine.stop(ctx, resource);
      } catch (err) {
        // Stopping failed (the API server, access): retried, but the deadline still holds.
        return this.retryBeforeDeadline(op, engine, ctx, err, deadline, timeoutSeconds, logger);
      }
      if (stop.outcome === 'stopped') {
        return this.end(op, { phase: 'Cancelled', reason: 'Cancelled', message: `cancelled: ${stop.message}` }, logger, observation);
      }
    }
    if (observation.status.terminal) {
      const end = this.endOf(observation, stop);
      return this.end(op, end, logger, observation);
    }
    if (now.getTime() >= deadline) {
      const stopped =
        stop ??
        (await engine.stop(ctx, resource).catch((err: unknown) => ({ outcome: 'stopped' as const, message: `${refText} could not be stopped: ${describeError(err)}` })));
      // A pod that could never be created is why the deadline passed: say so in the outcome.
      const why = observation.status.reason === 'FailedCreate' ? `; ${observation.status.message}` : '';
      return this.end(
        op,
        { phase: 'TimedOut', reason: 'TimedOut', message: `deadline of ${timeoutSeconds}s passed: ${stopped.message}${why}` },
        logger,
        observation,
      );
    }

    const message = stop ? `cancel requested: ${stop.message}; engine: ${observation.status.message}` : observation.status.message;
    const status = withConditions(
      {
        ...op.status,
        phase: 'Running',
        message,
        engineStatus: observation.raw,
        result: { ...(op.status?.result ?? {}), ...observation.result },
        observedGeneration: op.metadata.generation,
      },
      [{ type: 'Running', status: 'True', reason: observation.status.reason, message: observation.status.message }],
      op.metadata.generation,
      now,
    );
    const event = stop && !op.status?.message?.startsWith('cancel requested')
      ? ({ type: 'Normal', reason: 'CancelRequested', message: stop.message } as const)
      : undefined;
    await this.writeStatus(op, status, event, logger);
    return { requeueAfter: Math.min(this.pollIntervalMs, Math.max(deadline - now.getTime(), 1)) };
  }

  /**
   * Admission's last step: what the engine checks against the cluster before anything is
   * created. A refusal rejects the Operation (Accepted=False, with the field); an error is
   * retried, but not past the Operation's deadline (counted from its creation, as any wait
   * before the start).
   */
  private async checkBeforeStart(
    op: OperationObject,
    engine: Engine,
    ctx: EngineContext,
    timeoutSeconds: number,
    logger: Logger,
  ): Promise<{ result: Result | void } | undefined> {
    try {
      const refusal = await engine.check!(ctx);
      return refusal ? { result: await this.reject(op, refusal.reason, refusal.message, logger) } : undefined;
    } catch (err) {
      const now = this.now().getTime();
      const deadline = admissionDeadline(op, timeoutSeconds, this.now());
      if (now >= deadline) {
        const message = `not started within ${timeoutSeconds}s: ${describeError(err)}`;
        return { result: await this.end(op, { phase: 'TimedOut', reason: 'TimedOut', message }, logger) };
      }
      logger.warn('could not check the operation before its start, retrying before the deadline', { error: describeError(err) });
      return { result: { requeueAfter: this.retryDelay(op, deadline - now) } };
    }
  }

  /** The wait before the next attempt after an error: doubling per error in a row, never past the deadline. */
  private retryDelay(op: OperationObject, untilDeadlineMs: number): number {
    const count = this.failures.get(op.metadata.uid) ?? 0;
    this.failures.set(op.metadata.uid, count + 1);
    const wait = backoffDelay({ initialMs: this.pollIntervalMs, maxMs: this.maxRetryIntervalMs }, count);
    return Math.max(1, Math.min(wait, untilDeadlineMs));
  }

  /**
   * An error reaching the engine resource that a retry may fix (a lost connection, a server
   * error, throttling, access that may come back). It is retried with a doubling wait, shown
   * in the status message meanwhile, and counts against the deadline like any wait: past it,
   * the Operation ends TimedOut saying what went wrong, whatever the error.
   */
  private async retryBeforeDeadline(
    op: OperationObject,
    engine: Engine,
    ctx: EngineContext,
    err: unknown,
    deadline: number,
    timeoutSeconds: number,
    logger: Logger,
  ): Promise<Result | void> {
    const now = this.now().getTime();
    const what = describeError(err);
    if (now >= deadline) {
      // Best effort: whatever was created before the errors must not run on unseen.
      const stopped = await engine.stop(ctx, undefined).then(
        s => `; ${s.message}`,
        () => '',
      );
      return this.end(op, { phase: 'TimedOut', reason: 'TimedOut', message: `deadline of ${timeoutSeconds}s passed: ${what}${stopped}` }, logger);
    }
    const count = this.failures.get(op.metadata.uid) ?? 0;
    const requeueAfter = this.retryDelay(op, deadline - now);
    logger.warn('engine resource unreachable, retrying before the deadline', { error: what, attempt: count + 1 });
    const message = `retrying after an error (attempt ${count + 1}): ${what}`;
    const event = count === 0 ? ({ type: 'Warning', reason: 'EngineError', message: what } as const) : undefined;
    try {
      await this.writeStatus(op, { ...op.status, message }, event, logger);
    } catch {
      // The API server may be what fails: the retry below still comes, and the deadline holds.
    }
    return { requeueAfter };
  }

  /** Lets a failed engine put its target back where it works; the Operation and an Event say what it did. */
  private async recover(engine: Engine, ctx: EngineContext, resource: KubeObject, observation: Observation, logger: Logger): Promise<Observation> {
    const recovery = await engine.recover!(ctx, resource, observation);
    if (!recovery) return observation;
    if (recovery.event) await recordEvent(this.client, ctx.target as unknown as KubeObject, recovery.event, logger, this.now());
    return {
      ...observation,
      status: { ...observation.status, message: `${observation.status.message}; ${recovery.message}` },
      result: { ...observation.result, ...recovery.result },
    };
  }

  /** The final phase when the engine ended on its own, given a cancel that could not stop it. */
  private endOf(observation: Observation, stop: StopOutcome | undefined): { phase: OperationPhase; reason: string; message: string } {
    const { phase, reason, message } = observation.status;
    if (stop?.outcome === 'finishes') {
      return { phase: 'Cancelled', reason: 'Cancelled', message: `cancelled; the engine could not be interrupted and ended ${phase}: ${message}` };
    }
    if (stop?.outcome === 'refused') {
      return { phase, reason, message: `${message} (cancel refused: ${stop.message})` };
    }
    return { phase, reason, message };
  }

  private context(op: OperationObject, target: ApplicationInstance): EngineContext {
    return {
      client: this.client,
      operation: op,
      target,
      options: this.engineOptions,
      recorded: (op.status?.result ?? {}) as Record<string, unknown>,
    };
  }

  private async getTarget(op: OperationObject): Promise<ApplicationInstance | undefined> {
    const name = (op.spec as { target?: { applicationInstance?: string } }).target?.applicationInstance;
    if (!name) return undefined;
    try {
      return (await this.client.get(operationKinds.ApplicationInstance, name, op.metadata.namespace)) as unknown as ApplicationInstance;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async reject(op: OperationObject, reason: string, message: string, logger: Logger): Promise<Result | void> {
    const now = this.now();
    const base = withConditions(
      { ...op.status, observedGeneration: op.metadata.generation },
      [{ type: 'Accepted', status: 'False', reason, message }],
      op.metadata.generation,
      now,
    );
    const status = endedStatus(base, { phase: 'Failed', reason, message }, op.metadata.generation, now);
    await this.writeStatus(op, status, { type: 'Warning', reason, message }, logger);
    return undefined;
  }

  private async end(
    op: OperationObject,
    end: { phase: OperationPhase; reason: string; message: string },
    logger: Logger,
    observation?: Observation,
  ): Promise<Result | void> {
    this.failures.delete(op.metadata.uid);
    const now = this.now();
    const base: OperationStatus = {
      ...op.status,
      observedGeneration: op.metadata.generation,
      ...(observation
        ? { engineStatus: observation.raw, result: { ...(op.status?.result ?? {}), ...observation.result } }
        : {}),
    };
    const status = endedStatus(base, end, op.metadata.generation, now);
    const type = warningPhases.includes(end.phase) ? 'Warning' : 'Normal';
    await this.writeStatus(op, status, { type, reason: end.phase, message: end.message }, logger);
    return undefined;
  }

  /** Writes the status when it changed (optimistic: a stale object fails with 409 and is retried), then records `event`. */
  private async writeStatus(op: OperationObject, status: OperationStatus, event: Event | undefined, logger: Logger): Promise<OperationObject> {
    const clean = JSON.parse(JSON.stringify(status)) as OperationStatus;
    if (!statusChanged(op.status, clean)) return op;
    const updated = (await this.client.updateStatus(operationKinds.Operation, { ...op, status: clean }, operatorWrite)) as OperationObject;
    if (event) await recordEvent(this.client, updated, event, logger, this.now());
    logger.info('operation status', { phase: clean.phase, message: clean.message });
    return { ...updated, spec: op.spec };
  }

  private async ensureFinalizer(op: OperationObject): Promise<OperationObject> {
    const finalizers = op.metadata.finalizers ?? [];
    if (finalizers.includes(cancelFinalizer)) return op;
    const updated = (await this.client.patch(
      operationKinds.Operation,
      op.metadata.name,
      op.metadata.namespace,
      { metadata: { finalizers: [...finalizers, cancelFinalizer], resourceVersion: op.metadata.resourceVersion } },
      { type: 'merge', ...operatorWrite },
    )) as OperationObject;
    return updated;
  }

  /**
   * Deletion: stop a running engine where it can be stopped, remove what must not outlive the
   * Operation (never data: backups and snapshots stay), then let the Operation go.
   */
  private async finalize(op: OperationObject, logger: Logger): Promise<Result | void> {
    const finalizers = op.metadata.finalizers ?? [];
    if (!finalizers.includes(cancelFinalizer)) return undefined;
    const parsed = operationSpecSchema.safeParse(op.spec);
    if (parsed.success && op.status?.engineRef) {
      const spec = parsed.data;
      const engine = this.engines[spec.engine];
      const typed = { ...op, spec } as OperationObject;
      const ctx = this.context(typed, (await this.getTarget(typed)) ?? placeholderTarget(typed));
      try {
        if (!isTerminalPhase(op.status?.phase)) {
          const resource = await engine.get(ctx);
          const stop = await engine.stop(ctx, resource);
          await recordEvent(this.client, op, { type: 'Normal', reason: 'Deleted', message: `operation deleted while running: ${stop.message}` }, logger, this.now());
        }
        await engine.cleanup?.(ctx);
      } catch (err) {
        // Forbidden or not found: the engine resource's namespace, kind or the operator's access
        // to it is gone, and waiting cannot bring it back. Holding the finalizer would only keep
        // the Operation (and a namespace being deleted) Terminating forever. Anything else
        // (the API server failing, a lost connection) is retried.
        if (!isForbidden(err) && !isNotFound(err)) throw err;
        const ref = op.status.engineRef;
        const message =
          `operation deleted; ${describeRef(ref)} cannot be reached any more ` +
          `(${describeError(err)}): it is left as it is, and the operation goes`;
        logger.warn('engine resource unreachable on deletion', { error: describeError(err) });
        await recordEvent(this.client, op, { type: 'Warning', reason: 'EngineResourceUnreachable', message }, logger, this.now());
      }
    }
    this.failures.delete(op.metadata.uid);
    await this.client.patch(
      operationKinds.Operation,
      op.metadata.name,
      op.metadata.namespace,
      { metadata: { finalizers: finalizers.filter(f => f !== cancelFinalizer), resourceVersion: op.metadata.resourceVersion } },
      { type: 'merge', ...operatorWrite },
    );
    return undefined;
  }
}

/**
 * Stands in for a target that is gone, so that stopping and cleaning up an engine resource
 * still works; engines read the target only to start.
 */
/** An engine resource as messages name it: `Kind namespace/name`. */
function describeRef(ref: { kind: string; name: string; namespace?: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The deadline of an Operation that has not started: its timeout counts from its creation. */
function admissionDeadline(op: OperationObject, timeoutSeconds: number, now: Date): number {
  return Date.parse(op.metadata.creationTimestamp ?? metaTime(now)) + timeoutSeconds * 1000;
}

function placeholderTarget(op: OperationObject): ApplicationInstance {
  const name = (op.spec as { target?: { applicationInstance?: string } }).target?.applicationInstance ?? '';
  return {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: { name, namespace: op.metadata.namespace },
    spec: { app: '', engine: 'flux', chart: { name: '', version: '0.0.0', repository: { url: 'https://invalid', type: 'helm' } }, interval: '10m', suspend: false },
  };
}
