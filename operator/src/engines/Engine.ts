import type {
  ApplicationInstance,
  EngineStatus,
  Operation,
  OperationEngine,
  OperationType,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeClient, KubeObject } from '@vworkspace/kube-runtime';

/** Where an engine resource lives: `status.engineRef` of the Operation. @public */
export interface EngineRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Settings every engine may read; fixed for the life of the operator. @public */
export interface EngineOptions {
  /** Namespace of Velero's Backups and Restores. Default `velero`. */
  veleroNamespace: string;
  /**
   * Prefix of the ClusterRoles that RBAC profiles name: profile `readonly` binds
   * `<prefix>readonly`. Default `fleet-operator-profile-`, as the Helm chart names them.
   */
  profileClusterRolePrefix: string;
}

/**
 * What an engine is handed on every call. `operation` has its spec parsed (defaults applied);
 * `target` is the ApplicationInstance it acts on.
 * @public
 */
export interface EngineContext {
  client: KubeClient;
  operation: Operation & {
    metadata: { name: string; namespace: string; uid: string };
  };
  target: ApplicationInstance;
  options: EngineOptions;
  /** What the Operation recorded in `status.result` so far (e.g. fromVersion). */
  recorded: Record<string, unknown>;
}

/** The engine resource's state, mapped, with the raw values kept for `status.engineStatus`. @public */
export interface Observation {
  status: EngineStatus;
  /** `status.engineStatus`: the engine's own phase, reason and message, unmapped. */
  raw: { phase?: string; reason?: string; message?: string };
  /** Merged into `status.result`. */
  result?: Record<string, unknown>;
}

/**
 * What a stop request achieved:
 * - `stopped`: the engine was told to stop; the Operation ends Cancelled at once.
 * - `finishes`: the engine cannot be interrupted; it is left to finish, and the Operation ends
 *   Cancelled when it does, keeping what it produced in `result`.
 * - `refused`: stopping would leave things worse than finishing (an upgrade already applied);
 *   the Operation follows the engine to its own outcome and says the cancel was refused.
 * @public
 */
export interface StopOutcome {
  outcome: 'stopped' | 'finishes' | 'refused';
  message: string;
}

/** What {@link Engine.recover} did after a failure. @public */
export interface Recovery {
  /** Appended to the Operation's message. */
  message: string;
  /** Merged into `status.result`. */
  result?: Record<string, unknown>;
  /** Recorded on the target ApplicationInstance, where `kubectl describe` shows it. */
  event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
}

/**
 * A refusal or a failure a retry cannot fix (missing backup, unknown hook, name taken by a
 * stranger). The controller ends the Operation with `reason` instead of retrying.
 * @public
 */
export class EngineFailure extends Error {
  override readonly name = 'EngineFailure';
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/**
 * One way of running operations. The controller decides *whether* and *when* an operation
 * runs (acceptance, preconditions, deadline, cancel); the engine decides *how*: which resource
 * to create, how to read its status and how to stop it.
 *
 * Contract: `start` is idempotent. It creates the engine resource under the deterministic name
 * of {@link Engine.ref}, or adopts the one a previous run of the operator created (checking
 * that it carries the Operation's label), so that one Operation never has two engine resources.
 * @public
 */
export interface Engine {
  readonly name: OperationEngine;
  /** Deadline when the Operation gives none. */
  readonly defaultTimeoutSeconds: number;
  /**
   * What the cluster needs for this engine beyond Kubernetes (a project installed, a chart
   * value), said when the API server refuses its resource as forbidden or unknown.
   */
  readonly requires?: string;
  /** Whether this engine knows how to run `type`. */
  supports(type: OperationType): boolean;
  /** A reason to refuse the operation given its target, or undefined to accept it. */
  refuse?(ctx: EngineContext): { reason: string; message: string } | undefined;
  /**
   * Checks against the cluster what the schema cannot (the RBAC profile's ClusterRole exists),
   * before anything is created: a refusal rejects the operation at admission. Throws to retry.
   */
  check?(ctx: EngineContext): Promise<{ reason: string; message: string } | undefined>;
  /** Values to persist in `status.result` BEFORE `start` changes anything (e.g. fromVersion). */
  prepare?(ctx: EngineContext): Promise<Record<string, unknown>>;
  /** The resource the operation produces or drives. */
  ref(ctx: EngineContext): EngineRef;
  /** Creates or adopts the engine resource; resolves with it as the API server returned it. */
  start(ctx: EngineContext): Promise<KubeObject>;
  /** Reads the engine resource; undefined when it does not exist (any more). */
  get(ctx: EngineContext): Promise<KubeObject | undefined>;
  /** Maps the engine resource's status. Pure apart from what `ctx` holds. */
  observe(ctx: EngineContext, resource: KubeObject): Observation;
  /**
   * Why an engine resource that has not started is stuck, when the cluster says so (a Job whose
   * pod is refused: FailedCreate events); undefined when nothing is known.
   */
  diagnose?(ctx: EngineContext, resource: KubeObject): Promise<string | undefined>;
  /**
   * Called when the engine resource ended Failed, before the Operation records it: puts the
   * target back where it works (an Upgrade's intent back to the version Flux rolled back to).
   * Idempotent; undefined when there is nothing to do.
   */
  recover?(ctx: EngineContext, resource: KubeObject, observation: Observation): Promise<Recovery | undefined>;
  /** Stops the engine where it can (cancel, deadline, deletion). */
  stop(ctx: EngineContext, resource: KubeObject | undefined): Promise<StopOutcome>;
  /** Removes what must not outlive the Operation once it is deleted; never data. */
  cleanup?(ctx: EngineContext): Promise<void>;
}
