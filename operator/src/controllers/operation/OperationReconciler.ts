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
import { operationKinds } from '../../engines/kinds';
import { isNotFound } from '../../runtime/apiErrors';
import type { KubeClient } from '../../runtime/KubeClient';
import { Logger, silentLogger } from '../../runtime/Logger';
import { ReconcileContext, Reconciler, Request, Result } from '../../runtime/reconcile';
import type { KubeObject } from '../../runtime/types';
import { acceptedReasons, admitOperation } from './admitOperation';
import {
  endedStatus,
  engineStartingReason,
  isTerminalPhase,
  metaTime,
  statusChanged,
  withConditions,
} from './operationStatus';
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
  private readonly logger: Logger;
  private readonly now: () => Date;

  constructor(options: OperationReconcilerOptions) {
    this.client = options.client;
    this.listSiblings = options.listSiblings;
    this.engines = options.engines ?? allEngines;
    this.engineOptions = {
      veleroNamespace: options.veleroNamespace ?? 'velero',
      profileClusterRolePrefix: options.profileClusterRolePrefix ?? 'fleet-operator-profile-',
    };
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
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
      if (decision.kind === 'wait') {
        // Waiting counts against the deadline too: every wait has one.
        const deadline = Date.parse(op.metadata.creationTimestamp ?? metaTime(now)) + spec.timeoutSeconds * 1000;
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
      const message = `started by engine ${engine.name}: ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
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
    let resource: KubeObject | undefined;
    try {
      if (starting && !target) {
        return this.end(op, { phase: 'Failed', reason: acceptedReasons.targetNotFound, message: 'the target went away before the engine started' }, logger);
      }
      resource = starting ? await engine.start(ctx) : await engine.get(ctx);
    } catch (err) {
      if (err instanceof EngineFailure) return this.end(op, { phase: 'Failed', reason: err.reason, message: err.message }, logger);
      throw err;
    }
    const ref = op.status?.engineRef;
    const refText = ref ? `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}` : 'engine resource';
    if (!resource) {
      if (op.spec.cancel) return this.end(op, { phase: 'Cancelled', reason: 'Cancelled', message: `cancelled; ${refText} is gone` }, logger);
      return this.end(op, { phase: 'Failed', reason: 'EngineResourceGone', message: `${refText} was deleted before it finished` }, logger);
    }

    const observation = engine.observe(ctx, resource);
    const startedAt = Date.parse(op.status?.startedAt ?? metaTime(now));
    const timeoutSeconds = op.spec.timeoutSeconds ?? engine.defaultTimeoutSeconds;
    const deadline = startedAt + timeoutSeconds * 1000;
    let stop: StopOutcome | undefined;
    if (op.spec.cancel) {
      stop = await engine.stop(ctx, resource);
      if (stop.outcome === 'stopped') {
        return this.end(op, { phase: 'Cancelled', reason: 'Cancelled', message: `cancelled: ${stop.message}` }, logger, observation);
      }
    }
    if (observation.status.terminal) {
      const end = this.endOf(observation, stop);
      return this.end(op, end, logger, observation);
    }
    if (now.getTime() >= deadline) {
      const stopped = stop ?? (await engine.stop(ctx, resource));
      return this.end(
        op,
        { phase: 'TimedOut', reason: 'TimedOut', message: `deadline of ${timeoutSeconds}s passed: ${stopped.message}` },
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
    const updated = (await this.client.updateStatus(operationKinds.Operation, { ...op, status: clean })) as OperationObject;
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
      { type: 'merge', fieldManager: 'vworkspace-operator' },
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
      if (!isTerminalPhase(op.status?.phase)) {
        const resource = await engine.get(ctx);
        const stop = await engine.stop(ctx, resource);
        await recordEvent(this.client, op, { type: 'Normal', reason: 'Deleted', message: `operation deleted while running: ${stop.message}` }, logger, this.now());
      }
      await engine.cleanup?.(ctx);
    }
    await this.client.patch(
      operationKinds.Operation,
      op.metadata.name,
      op.metadata.namespace,
      { metadata: { finalizers: finalizers.filter(f => f !== cancelFinalizer), resourceVersion: op.metadata.resourceVersion } },
      { type: 'merge', fieldManager: 'vworkspace-operator' },
    );
    return undefined;
  }
}

/**
 * Stands in for a target that is gone, so that stopping and cleaning up an engine resource
 * still works; engines read the target only to start.
 */
function placeholderTarget(op: OperationObject): ApplicationInstance {
  const name = (op.spec as { target?: { applicationInstance?: string } }).target?.applicationInstance ?? '';
  return {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: { name, namespace: op.metadata.namespace },
    spec: { app: '', engine: 'flux', chart: { name: '', version: '0.0.0', repository: { url: 'https://invalid', type: 'helm' } }, interval: '10m', suspend: false },
  };
}
