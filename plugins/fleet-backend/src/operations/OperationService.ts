import type {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { AuthorizeResult, ResourcePermission } from '@backstage/plugin-permission-common';
import {
  AppTemplate,
  CreateOperationRequest,
  fleetOperationCancelPermission,
  fleetOperationCreatePermission,
  instanceEntityRef,
  mutatingOperationTypes,
  operationApiVersion,
  operationSpecSchema,
  OperationSummary,
  terminalOperationPhases,
} from '@vworkspace/backstage-plugin-fleet-common';
import { isAlreadyExists, isNotFound, KubeClient, KubeObject } from '@vworkspace/kube-runtime';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { OperationIntentObject, Outbox } from '../pull/Outbox';
import type { FleetStore } from '../store/FleetStore';
import { parseOr400, invalidInput } from '../service/parseOr400';
import { fleetKinds } from '../store/kinds';
import { toOperationSummary } from '../store/summaries';
import { audited } from './audited';
import { fromClusterError } from './clusterErrors';
import { idempotentOperationName, operationGenerateName } from './operationName';
import { validateParameters } from './parameterValidator';
import { pullOutboxOf, pushClientOf } from './writeTargets';

export { controlPlaneFieldManager } from '@vworkspace/backstage-plugin-fleet-common';
import { controlPlaneFieldManager } from '@vworkspace/backstage-plugin-fleet-common';

/** Annotation recording the idempotency key an Operation was created with. */
export const idempotencyKeyAnnotation = 'ops.vworkspace.io/idempotency-key';

/** The app catalog, as operations need it. */
export interface AppTemplateSource {
  get(id: string): AppTemplate | undefined;
  list(): AppTemplate[];
}

/** Who asks, and the HTTP request that carries the ask (for the audit trail). */
export interface Caller {
  credentials: BackstageCredentials<BackstageUserPrincipal>;
  userEntityRef: string;
  request?: Request;
}

/** Options of {@link OperationService}. */
export interface OperationServiceOptions {
  store: FleetStore;
  apps: AppTemplateSource;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  /** Intent for pull clusters; without it, pull clusters answer 503. */
  outbox?: Outbox;
}

/**
 * What `create` and `cancel` did: `created` is false when an idempotency key named an existing
 * Operation; `pending` is true when the intent waits in the outbox for a pull cluster's agent.
 */
export interface OperationOutcome {
  created: boolean;
  pending: boolean;
  operation: OperationSummary;
}

/** A parsed `POST /operations` body. */
export type CreateOperation = Omit<CreateOperationRequest, 'parameters'> & {
  parameters: Record<string, unknown>;
};

function operationNotFound(ref: { cluster: string; namespace: string; name: string }): NotFoundError {
  return new NotFoundError(`Operation ${ref.namespace}/${ref.name} not found in cluster ${ref.cluster}`);
}

/** Fields of a spec that make two requests the same request. */
function sameRequest(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const pick = (s: Record<string, unknown>) =>
    JSON.stringify([s.type, s.engine, s.target, s.parameters, s.requestedBy]);
  return pick(a) === pick(b);
}

/** Sorts object keys, so that parameter objects compare equal whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map(k => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Day-2 work on instances: validate against the app's template, authorize with the permission
 * framework, and create (or cancel) the Operation in the instance's cluster. Every mutation,
 * allowed or not, leaves an audit event.
 */
export class OperationService {
  private readonly store: FleetStore;
  private readonly apps: AppTemplateSource;
  private readonly permissions: PermissionsService;
  private readonly auditor: AuditorService;
  private readonly logger: LoggerService;
  private readonly outbox?: Outbox;

  constructor(options: OperationServiceOptions) {
    this.outbox = options.outbox;
    this.store = options.store;
    this.apps = options.apps;
    this.permissions = options.permissions;
    this.auditor = options.auditor;
    this.logger = options.logger;
  }

  /**
   * Creates an Operation. `created` is false when an idempotency key names an Operation that
   * already exists for the same request: that Operation is returned.
   */
  async create(body: CreateOperation, caller: Caller): Promise<OperationOutcome> {
    return audited(
      this.auditor,
      {
        eventId: 'operation-create',
        severityLevel: 'medium',
        request: caller.request,
        meta: {
          cluster: body.cluster,
          namespace: body.namespace,
          instance: body.instance,
          type: body.type,
          ...(body.idempotencyKey ? { idempotencyKey: body.idempotencyKey } : {}),
        },
      },
      () => this.doCreate(body, caller),
      result => ({ operation: result.operation.name, created: result.created }),
    );
  }

  private async doCreate(body: CreateOperation, caller: Caller): Promise<OperationOutcome> {
    const ref = { cluster: body.cluster, namespace: body.namespace, name: body.instance };
    const cluster = this.store.cluster(body.cluster);
    if (!cluster) throw new NotFoundError(`Cluster ${body.cluster} is not part of the fleet`);
    await this.authorize(fleetOperationCreatePermission, ref, caller);
    const outbox = this.pullOutbox(body.cluster);
    const client = outbox ? undefined : this.writableClient(body.cluster);
    const detail = await this.store.getInstance(ref);
    if (!detail) {
      throw new NotFoundError(`ApplicationInstance ${body.namespace}/${body.instance} not found in cluster ${body.cluster}`);
    }
    const instance = detail.summary;
    const app = this.apps.get(instance.app);
    if (!app) {
      throw new ConflictError(`App ${instance.app} of instance ${body.instance} is not in the app catalog`);
    }
    const offered = app.operations.filter(o => o.type === body.type);
    if (offered.length === 0) {
      throw new InputError(
        `type: app ${app.id} offers no ${body.type} operation; it offers ${app.operations.map(o => o.type).join(', ') || 'none'}`,
      );
    }
    const template = body.engine ? offered.find(o => o.engine === body.engine) : offered[0];
    if (!template) {
      throw new InputError(
        `engine: app ${app.id} runs ${body.type} with ${offered.map(o => o.engine).join(', ')}, not ${body.engine}`,
      );
    }
    const checked = validateParameters(template, body.parameters, { name: instance.name, namespace: instance.namespace });
    if ('issues' in checked) {
      throw invalidInput('parameters', checked.issues);
    }
    const parameters = { ...checked.parameters };
    if (template.rbacProfile && (template.engine === 'job' || template.engine === 'workflow')) {
      parameters.rbacProfile = template.rbacProfile;
    }
    const spec: Record<string, unknown> = {
      type: body.type,
      engine: template.engine,
      target: { applicationInstance: body.instance },
      parameters: canonical(parameters),
      ...(body.timeoutSeconds ?? template.timeoutSeconds
        ? { timeoutSeconds: body.timeoutSeconds ?? template.timeoutSeconds }
        : {}),
      requestedBy: caller.userEntityRef,
      ...(body.reason ? { reason: body.reason } : {}),
    };
    parseOr400(operationSpecSchema, spec, 'request');

    // a pull cluster's agent applies by name: without a key, a random one still gives a fixed name
    const idempotencyKey = body.idempotencyKey ?? (outbox ? randomUUID() : undefined);
    const name = idempotencyKey
      ? idempotentOperationName({
          cluster: body.cluster,
          namespace: body.namespace,
          instance: body.instance,
          type: body.type,
          requestedBy: caller.userEntityRef,
          idempotencyKey,
        })
      : undefined;
    if (name && body.idempotencyKey) {
      const existing = client
        ? await this.existing(client, body.cluster, body.namespace, name, spec)
        : await this.existingIntent(body.cluster, body.namespace, name, spec);
      if (existing) return { created: false, pending: !client && existing.delivery?.state === 'pending', operation: existing };
    }
    this.checkPreconditions(template.preconditions, detail.summary, body, name);

    const object: KubeObject = {
      apiVersion: operationApiVersion,
      kind: 'Operation',
      metadata: {
        ...(name ? { name } : { generateName: operationGenerateName(body.instance, body.type) }),
        namespace: body.namespace,
        labels: { 'app.kubernetes.io/managed-by': controlPlaneFieldManager },
        ...(body.idempotencyKey ? { annotations: { [idempotencyKeyAnnotation]: body.idempotencyKey } } : {}),
      },
      spec,
    };
    if (!client) return this.enqueueCreate(body, caller, object);
    try {
      const created = await client.create(fleetKinds.Operation, object, { fieldManager: controlPlaneFieldManager });
      this.logger.info(
        `Operation ${body.namespace}/${created.metadata?.name} (${body.type}) created in cluster ${body.cluster} for ${caller.userEntityRef}`,
      );
      return { created: true, pending: false, operation: this.store.noteOperation(body.cluster, created) };
    } catch (error) {
      if (name && isAlreadyExists(error)) {
        // a concurrent retry of the same request won the race
        const existing = await this.existing(client, body.cluster, body.namespace, name, spec);
        if (existing) return { created: false, pending: false, operation: existing };
      }
      throw fromClusterError(body.cluster, error);
    }
  }

  /** Cancels an Operation by setting `spec.cancel`; the operator stops its engine. */
  async cancel(ref: { cluster: string; namespace: string; name: string }, caller: Caller): Promise<OperationOutcome> {
    return audited(
      this.auditor,
      {
        eventId: 'operation-cancel',
        severityLevel: 'medium',
        request: caller.request,
        meta: { cluster: ref.cluster, namespace: ref.namespace, operation: ref.name },
      },
      () => this.doCancel(ref, caller),
      outcome => ({ phase: outcome.operation.phase ?? null, pending: outcome.pending }),
    );
  }

  private async doCancel(ref: { cluster: string; namespace: string; name: string }, caller: Caller): Promise<OperationOutcome> {
    if (!this.store.cluster(ref.cluster)) throw new NotFoundError(`Cluster ${ref.cluster} is not part of the fleet`);
    const outbox = this.pullOutbox(ref.cluster);
    if (outbox) return this.enqueueCancel(outbox, ref, caller);
    const client = this.writableClient(ref.cluster);
    let current = this.store.getOperation(ref);
    if (!current) {
      try {
        current = toOperationSummary(ref.cluster, await client.get(fleetKinds.Operation, ref.name, ref.namespace));
      } catch (error) {
        if (isNotFound(error)) {
          throw operationNotFound(ref);
        }
        throw fromClusterError(ref.cluster, error);
      }
    }
    await this.authorizeCancel(ref, current, caller);
    try {
      const patched = await client.patch(
        fleetKinds.Operation,
        ref.name,
        ref.namespace,
        { spec: { cancel: true } },
        { type: 'merge', fieldManager: controlPlaneFieldManager },
      );
      this.logger.info(`Operation ${ref.namespace}/${ref.name} in cluster ${ref.cluster} cancelled by ${caller.userEntityRef}`);
      this.store.upsertOperation(ref.cluster, patched);
      return { created: false, pending: false, operation: this.store.getOperation(ref) ?? toOperationSummary(ref.cluster, patched) };
    } catch (error) {
      if (isNotFound(error)) {
        throw operationNotFound(ref);
      }
      throw fromClusterError(ref.cluster, error);
    }
  }

  /** 403 unless `caller` may cancel `current`; 409 when it has already ended. Shared by push and pull clusters. */
  private async authorizeCancel(
    ref: { cluster: string; namespace: string; name: string },
    current: OperationSummary,
    caller: Caller,
  ): Promise<void> {
    await this.authorize(
      fleetOperationCancelPermission,
      { cluster: ref.cluster, namespace: ref.namespace, name: current.instance },
      caller,
    );
    if (current.phase && terminalOperationPhases.includes(current.phase)) {
      throw new ConflictError(`Operation ${ref.namespace}/${ref.name} has already ended (${current.phase})`);
    }
  }

  /** The outbox, when `cluster` is a pull cluster (its agent takes the intent). */
  private pullOutbox(cluster: string): Outbox | undefined {
    return pullOutboxOf(this.store, this.outbox, cluster);
  }

  /** Stores a new Operation for a pull cluster's agent; it shows as pending delivery until acknowledged. */
  private async enqueueCreate(body: CreateOperation, caller: Caller, object: KubeObject): Promise<OperationOutcome> {
    const outbox = this.pullOutbox(body.cluster)!;
    const metadata = object.metadata as { name: string; namespace: string };
    await outbox.enqueue(body.cluster, {
      type: 'apply',
      // the object was checked against operationSpecSchema and carries a fixed name
      object: object as OperationIntentObject,
    });
    this.logger.info(
      `Operation ${metadata.namespace}/${metadata.name} (${body.type}) queued for pull cluster ${body.cluster} for ${caller.userEntityRef}`,
    );
    const operation =
      this.store.setDelivery(body.cluster, metadata, { state: 'pending' }, object) ?? toOperationSummary(body.cluster, object);
    return { created: true, pending: true, operation };
  }

  /** Queues the cancel of an Operation for a pull cluster's agent. */
  private async enqueueCancel(
    outbox: Outbox,
    ref: { cluster: string; namespace: string; name: string },
    caller: Caller,
  ): Promise<OperationOutcome> {
    const current = this.store.getOperation(ref);
    if (!current) throw operationNotFound(ref);
    await this.authorizeCancel(ref, current, caller);
    await outbox.enqueue(ref.cluster, { type: 'cancel', operation: { namespace: ref.namespace, name: ref.name } });
    this.logger.info(`Cancel of Operation ${ref.namespace}/${ref.name} queued for pull cluster ${ref.cluster} by ${caller.userEntityRef}`);
    return { created: false, pending: true, operation: current };
  }

  /** The queued Operation an idempotency key names on a pull cluster; 409 when it is another request's. */
  private async existingIntent(
    cluster: string,
    namespace: string,
    name: string,
    spec: Record<string, unknown>,
  ): Promise<OperationSummary | undefined> {
    const entry = await this.outbox?.findApply(cluster, namespace, name);
    if (!entry || entry.intent.type !== 'apply') return undefined;
    const queuedSpec = entry.intent.object.spec;
    if (!sameRequest({ ...queuedSpec, parameters: canonical(queuedSpec.parameters) }, spec)) {
      throw new ConflictError(
        `idempotencyKey: already used for a different request (Operation ${namespace}/${name}); use a new key`,
      );
    }
    return this.store.getOperation({ cluster, namespace, name }) ?? toOperationSummary(cluster, entry.intent.object);
  }

  /** A resource permission on the instance's catalog entity; conditional decisions are resolved by the framework. */
  private async authorize(
    permission: ResourcePermission,
    ref: { cluster: string; namespace: string; name: string },
    caller: Caller,
  ): Promise<void> {
    const resourceRef = instanceEntityRef(ref);
    let decision;
    try {
      [decision] = await this.permissions.authorize([{ permission, resourceRef }], {
        credentials: caller.credentials,
      });
    } catch (error) {
      // the framework's answer is not the caller's business in detail; the log keeps it
      this.logger.error(`Permission check ${permission.name} on ${resourceRef} failed: ${(error as Error).message}`);
      throw new ServiceUnavailableError(`The permission check ${permission.name} on ${resourceRef} could not be made; try again later`);
    }
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`${caller.userEntityRef} may not ${permission.name} on ${resourceRef}`);
    }
  }

  private writableClient(cluster: string): KubeClient {
    return pushClientOf(this.store, cluster);
  }

  /** The Operation an idempotency key names, when it exists; 409 when it is another request's. */
  private async existing(
    client: KubeClient,
    cluster: string,
    namespace: string,
    name: string,
    spec: Record<string, unknown>,
  ): Promise<OperationSummary | undefined> {
    let live: KubeObject;
    try {
      live = await client.get(fleetKinds.Operation, name, namespace);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw fromClusterError(cluster, error);
    }
    const liveSpec = (live.spec ?? {}) as Record<string, unknown>;
    if (!sameRequest({ ...liveSpec, parameters: canonical(liveSpec.parameters) }, spec)) {
      throw new ConflictError(
        `idempotencyKey: already used for a different request (Operation ${namespace}/${name}); use a new key`,
      );
    }
    return this.store.noteOperation(cluster, live);
  }

  private checkPreconditions(
    preconditions: ReadonlyArray<string>,
    instance: { name: string; status: string; lastBackup?: unknown; cluster: string; namespace: string },
    body: CreateOperation,
    ownName?: string,
  ): void {
    for (const precondition of preconditions) {
      if (precondition === 'ready' && instance.status !== 'Ready') {
        throw new ConflictError(`Instance ${instance.name} must be Ready for ${body.type}; it is ${instance.status}`);
      }
      if (precondition === 'hasSuccessfulBackup' && !instance.lastBackup) {
        throw new ConflictError(`Instance ${instance.name} has no successful backup to ${body.type} from`);
      }
    }
    if (mutatingOperationTypes.includes(body.type)) {
      const busy = this.store
        .activeOperationsOf({ cluster: instance.cluster, namespace: instance.namespace, name: instance.name })
        .find(o => mutatingOperationTypes.includes(o.type) && o.name !== ownName);
      if (busy) {
        throw new ConflictError(
          `Instance ${instance.name} is busy: ${busy.type} Operation ${busy.name} is ${busy.phase ?? 'Pending'}`,
        );
      }
    }
  }
}
