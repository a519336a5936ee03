import { randomUUID } from 'node:crypto';
import { StructuralSchema } from '../schema';
import { applyPatch, recordUpdate } from './fieldManagement';
import type { ClusterStore } from '../store/ClusterStore';
import { WatchEventType, objectKey } from '../store/ResourceStore';
import type { KubeObject, ObjectMeta, UserInfo } from '../types';
import { ResourceRegistry, resourceTypeFromCrd } from './ResourceRegistry';
import { ResourceType, apiVersionOf, storageVersion } from './ResourceType';
import {
  OBJECT_MODIFIED,
  Status,
  StatusCause,
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  methodNotAllowed,
  notFound,
  pathNotFound,
  unsupportedMediaType,
} from './StatusError';
import { deepEqual, jsonPatch, mergePatch, strategicMergePatch } from './patches';
import type { AdmissionAttributes, ValidatingAdmission } from './ValidatingAdmission';
import { FieldValidation, closedSchemaUnknownFields, pruneUnknownMetadata } from './fieldValidation';
import { type Target, presentAs } from './Target';
import { now } from './clock';
import { listResource } from './verbs/listResource';
import { watchResource } from './verbs/watchResource';
import { prepareCrd, validateCrd } from './crdStrategy';
import { generateName, validateObjectMeta } from '../validation/objectMeta';
import { fieldRequired } from '../validation/fieldErrors';

/** Schema errors after which kube does not evaluate CEL rules (`hasBlockingErr` in the CRD strategy). */
const BLOCKING_REASONS = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/**
 * The CEL rules' causes, or, when the schema already found a blocking error, kube's note that
 * rules went unchecked (apiextensions-apiserver/pkg/registry/customresource/strategy.go).
 */
function celCauses(schema: StructuralSchema, object: KubeObject, old: KubeObject | undefined, schemaCauses: StatusCause[]): StatusCause[] {
  if (!schema.hasRules) return [];
  if (schemaCauses.some(c => BLOCKING_REASONS.has(c.reason ?? ''))) {
    return [{
      reason: 'FieldValueInvalid',
      field: '<nil>',
      message: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    }];
  }
  return schema.validateRules(object, old);
}


/** Addresses a resource, optionally inside a namespace. @public */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
}

/** Who writes and how. @public */
export interface WriteContext {
  user: UserInfo;
  dryRun?: boolean;
  fieldManager?: string;
  /** Used to name the field manager when `fieldManager` is not given, as kube does. */
  userAgent?: string;
  /** Unknown and duplicate field handling of an HTTP write; in-process writes ignore them. */
  fieldValidation?: FieldValidation;
}

/** @public */
export type Subresource = 'status' | 'scale';

/** @public */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/** @public */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
}

/** @public */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** @public */
export interface PatchRequest {
  type: PatchType;
  body: unknown;
  force?: boolean;
}

/** @public */
export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /**
   * A streaming list (client-go's WatchListClient, which kubectl enables): the current objects,
   * then a BOOKMARK annotated `k8s.io/initial-events-end` that tells the client it has them all.
   */
  sendInitialEvents?: boolean;
}

/** Receives a watch's events; `encoded` gives the stream line, shared between watchers when possible. */
export interface WatchSink {
  send(type: WatchEventType | 'BOOKMARK' | 'ERROR', object: KubeObject | Status, encoded: () => string): void;
  close(): void;
}

/** @public */
export interface WatchHandle {
  stop(): void;
}

export interface ListResult {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/** A create or update about to be admitted, for in-process checks such as RBAC escalation prevention. */
export interface PendingWrite {
  type: ResourceType;
  namespace?: string;
  object: KubeObject;
  old?: KubeObject;
  subresource?: string;
  ctx: WriteContext;
}

/** Throws a StatusError to refuse a write. */
export type WriteCheck = (write: PendingWrite) => void;

/** A committed change as seen by in-process controllers (garbage collector, namespaces, CRDs). */
export type CommitListener = (type: WatchEventType, object: KubeObject, prev: KubeObject | undefined, type_: ResourceType) => void;

const SYSTEM_KEYS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];
const CUSTOM_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** A patch raced with another write while waiting for admission; it is retried like kube's GuaranteedUpdate. */
class RetryWrite extends Error {}

/** The propagation policy the deprecated `orphanDependents` option asks for, if set. */
function legacyPropagation(orphanDependents: boolean | undefined): 'Orphan' | 'Background' | undefined {
  if (orphanDependents === true) return 'Orphan';
  if (orphanDependents === false) return 'Background';
  return undefined;
}

export { now } from './clock';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pendingFinalizers(object: KubeObject): string[] {
  const spec = object.kind === 'Namespace' && object.apiVersion === 'v1' ? (object.spec as { finalizers?: string[] } | undefined) : undefined;
  return [...(object.metadata.finalizers ?? []), ...(spec?.finalizers ?? [])];
}

/** The object without what may differ on a no-op write (resourceVersion, managedFields times). */
function comparable(object: KubeObject): KubeObject {
  const metadata: ObjectMeta = { ...object.metadata };
  delete metadata.resourceVersion;
  if (metadata.managedFields) metadata.managedFields = metadata.managedFields.map(({ time: _t, ...rest }) => rest);
  return { ...object, metadata };
}

function withoutKeys(object: KubeObject, keys: string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  for (const k of keys) delete copy[k];
  return copy;
}

function getPath(object: unknown, path: string): unknown {
  let node = object;
  for (const part of path.replace(/^\./, '').split('.')) node = isObject(node) ? node[part] : undefined;
  return node;
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.replace(/^\./, '').split('.');
  if (rest.length === 0) return { ...object, [head]: value };
  const child = isObject(object[head]) ? (object[head] as Record<string, unknown>) : {};
  return { ...object, [head]: setPath(child, rest.join('.'), value) };
}

/**
 * The API semantics of one cluster, shared by the HTTP front end and the in-process client so
 * that both see the same validation, admission, field management, resourceVersions and events.
 */
export class Apiserver {
  private readonly listeners: CommitListener[] = [];
  private readonly writeChecks: WriteCheck[] = [];
  /** Interval of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;

  constructor(
    readonly store: ClusterStore,
    readonly registry: ResourceRegistry,
    readonly admission: ValidatingAdmission,
    options: { bookmarkIntervalMs?: number } = {},
  ) {
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /** Adds a check every create and update passes before webhooks see it (and before dry runs return). */
  addWriteCheck(check: WriteCheck): void {
    this.writeChecks.push(check);
  }

  private checkWrite(t: Target, object: KubeObject, old: KubeObject | undefined, ctx: WriteContext, subresource?: string): void {
    for (const check of this.writeChecks) check({ type: t.type, namespace: t.namespace, object, old, subresource, ctx });
  }

  // ---------------------------------------------------------------- resolution

  resolve(ref: ResourceRef): Target {
    const found = this.registry.lookup(ref.group, ref.version, ref.resource);
    if (!found) throw pathNotFound();
    const { type, version } = found;
    if (!type.namespaced && ref.namespace !== undefined) throw pathNotFound();
    return {
      type,
      version,
      store: this.store.resource(type.group, type.plural),
      namespace: type.namespaced ? ref.namespace : undefined,
      gr: { group: type.group, resource: type.plural },
    };
  }

  private schemaOf(t: Target): StructuralSchema | undefined {
    return !t.type.builtin && t.version.schema ? StructuralSchema.compile(t.version.schema) : undefined;
  }

  // ---------------------------------------------------------------- reads

  get(ref: ResourceRef, name: string, subresource?: Subresource): KubeObject {
    const t = this.resolve(ref);
    const object = t.store.get(objectKey(t.namespace, name));
    if (!object) throw notFound(t.gr, name);
    if (subresource === 'scale') return this.scaleOf(t, object);
    if (subresource === 'status' && !t.version.status) throw pathNotFound();
    return presentAs(t, object);
  }

  list(ref: ResourceRef, options: ListOptions = {}): ListResult {
    return listResource(this.store, this.resolve(ref), options);
  }

  // ---------------------------------------------------------------- writes

  async create(ref: ResourceRef, body: unknown, ctx: WriteContext): Promise<KubeObject> {
    const t = this.resolve(ref);
    const object = this.checkBody(t, body);
    if (object.metadata.namespace !== undefined && t.namespace !== undefined && object.metadata.namespace !== t.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (t.type.review) {
      if (t.namespace !== undefined) object.metadata.namespace = t.namespace;
      return t.type.review(object, ctx.user);
    }
    // The NamespaceLifecycle admission plugin runs before the registry names and validates.
    this.checkNamespace(t, object.metadata.name || object.metadata.generateName || 'Unknown');
    const draft = this.prepareCreate(t, object, ctx.fieldValidation);
    let prepared = recordUpdate({ live: undefined, updated: draft, manager: this.manager(ctx), schema: t.version.schema, now: now(), status: t.version.status });
    // Status a built-in sets on create (a Namespace's phase) is the apiserver's own doing, so it survives the reset.
    if (t.type.builtin && draft.status !== undefined && prepared.status === undefined) prepared = { ...prepared, status: draft.status };
    // The CRD status is the apiserver's own doing, so it is set after the status reset.
    if (t.type.group === 'apiextensions.k8s.io') prepared = prepareCrd(prepared);
    return this.admitCreate(t, prepared, ctx);
  }

  private manager(ctx: WriteContext): string {
    if (ctx.fieldManager) return ctx.fieldManager;
    const agent = ctx.userAgent?.split('/')[0];
    return agent || 'unknown';
  }

  /** Checks apiVersion and kind of a body: built-ins take them from the URL when absent, as typed endpoints do. */
  private checkBody(t: Target, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request was not a JSON object');
    const expectedApiVersion = apiVersionOf(t.type.group, t.version.name);
    const object = { ...body } as KubeObject;
    if (!object.kind || !object.apiVersion) {
      if (!t.type.builtin) {
        throw badRequest(`Object '${object.kind ? 'apiVersion' : 'Kind'}' is missing in '${JSON.stringify(body)}'`);
      }
      object.kind ??= t.type.kind;
      object.apiVersion ??= expectedApiVersion;
    }
    if (object.apiVersion !== expectedApiVersion) {
      throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedApiVersion})`);
    }
    if (object.kind !== t.type.kind) {
      throw badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${t.type.kind})`);
    }
    object.metadata = isObject(object.metadata) ? { ...(object.metadata as ObjectMeta) } : {};
    return object;
  }

  private prepareCreate(t: Target, input: KubeObject, fieldValidation?: FieldValidation): KubeObject {
    const metadata: ObjectMeta = { ...input.metadata };
    for (const key of SYSTEM_KEYS) delete metadata[key];
    if (!metadata.name && metadata.generateName) metadata.name = generateName(metadata.generateName);
    if (t.namespace !== undefined) metadata.namespace = t.namespace;
    else delete metadata.namespace;
    metadata.uid = randomUUID();
    metadata.creationTimestamp = now();
    if (t.type.generation) metadata.generation = 1;
    let object: KubeObject = { ...input, apiVersion: apiVersionOf(t.type.group, storageVersion(t.type).name), metadata };
    // Both custom resources and built-ins with a status subresource ignore status on create.
    if (t.version.status) delete object.status;
    if (t.type.onCreate) {
      object = structuredClone(object);
      t.type.onCreate(object);
    }
    if (t.type.group === 'apiextensions.k8s.io') object = prepareCrd(object);
    return this.validateAndDefault(t, object, undefined, fieldValidation);
  }

  /** Metadata checks kube applies to every kind, then the CRD schema (prune, default, validate). */
  private validateAndDefault(t: Target, object: KubeObject, old?: KubeObject, fieldValidation?: FieldValidation): KubeObject {
    const causes: StatusCause[] = [];
    const name = object.metadata.name;
    // Custom resources and most built-ins name objects as DNS subdomains.
    const nameRule = t.type.nameRule ?? 'subdomain';
    if (nameRule !== 'unchecked') causes.push(...validateObjectMeta(object.metadata, { nameRule, namespaced: t.type.namespaced }, !!old));
    else if (!name) causes.push(fieldRequired('metadata.name', 'name or generateName is required'));
    if (old?.metadata.deletionTimestamp) {
      const before = new Set(old.metadata.finalizers ?? []);
      const added = (object.metadata.finalizers ?? []).filter(f => !before.has(f));
      if (added.length > 0) {
        causes.push({
          reason: 'FieldValueForbidden',
          message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map(f => JSON.stringify(f)).join(', ')}}`,
          field: 'metadata.finalizers',
        });
      }
    }
    let result = object;
    if (old && t.type.onUpdate) {
      result = structuredClone(object);
      t.type.onUpdate(result, old);
    }
    if (t.type.validate) causes.push(...t.type.validate(result, old));
    const schema = this.schemaOf(t);
    if (result === object) result = { ...object, metadata: { ...object.metadata } };
    const unknown = pruneUnknownMetadata(result);
    if (schema) {
      result = structuredClone(result);
      const admitted = schema.admit(result);
      unknown.push(...admitted.pruned.sort());
      causes.push(...admitted.causes, ...celCauses(schema, result, old, admitted.causes));
    } else if (t.type.builtin && t.version.schema) {
      unknown.push(...closedSchemaUnknownFields(t.version.schema, result));
    }
    // kube decodes (and refuses a strict decoding error) before it validates.
    fieldValidation?.report(t.type.kind, t.version.name, unknown);
    if (t.type.group === 'apiextensions.k8s.io') causes.push(...validateCrd(result));
    if (causes.length > 0) throw invalid({ group: t.type.group, kind: t.type.kind }, name ?? '', causes);
    return result;
  }

  private async admitCreate(t: Target, object: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    this.checkNamespace(t, object.metadata.name!);
    const key = objectKey(t.namespace, object.metadata.name!);
    if (t.store.get(key)) throw alreadyExists(t.gr, object.metadata.name!);
    this.checkWrite(t, object, undefined, ctx);
    if (this.admission.active) {
      await this.admission.admit(this.attributes(t, 'CREATE', ctx, object, undefined));
      this.checkNamespace(t, object.metadata.name!);
      if (t.store.get(key)) throw alreadyExists(t.gr, object.metadata.name!);
    }
    if (ctx.dryRun) return presentAs(t, object);
    return presentAs(t, this.commit(t, 'ADDED', object, undefined));
  }

  /**
   * plugin/pkg/admission/namespace/lifecycle: no content in a namespace that does not exist (404)
   * or is being terminated (403 with a NamespaceTerminating cause).
   */
  private checkNamespace(t: Target, name: string): void {
    if (t.namespace === undefined) return;
    const namespace = this.store.resource('', 'namespaces').get(t.namespace);
    if (!namespace) throw notFound({ group: '', resource: 'namespaces' }, t.namespace);
    if (namespace.metadata.deletionTimestamp) {
      const error = forbidden(t.gr, name, `unable to create new content in namespace ${t.namespace} because it is being terminated`);
      error.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${t.namespace} is being terminated`, field: 'metadata.namespace' }];
      throw error;
    }
  }

  private attributes(
    t: Target,
    operation: AdmissionAttributes['operation'],
    ctx: WriteContext,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    subresource?: string,
  ): AdmissionAttributes {
    const subject = object ?? oldObject!;
    return {
      operation,
      group: t.type.group,
      version: t.version.name,
      kind: t.type.kind,
      resource: t.type.plural,
      subresource,
      namespaced: t.type.namespaced,
      name: subject.metadata.name ?? '',
      namespace: t.namespace,
      object: object && presentAs(t, object),
      oldObject: oldObject && presentAs(t, oldObject),
      user: ctx.user,
      dryRun: !!ctx.dryRun,
    };
  }

  /** Stores a change and tells in-process controllers about it. */
  private commit(t: Target, type: WatchEventType, object: KubeObject, prev: KubeObject | undefined): KubeObject {
    const stored = this.store.commit(t.store, type, object, prev);
    for (const listener of this.listeners) listener(type, stored, prev, t.type);
    return stored;
  }

  async update(ref: ResourceRef, name: string, body: unknown, ctx: WriteContext, subresource?: Subresource): Promise<KubeObject> {
    const t = this.resolve(ref);
    if (subresource === 'scale') return this.updateScale(t, name, body, ctx);
    if (subresource === 'status' && !t.version.status) throw pathNotFound();
    const object = this.checkBody(t, body);
    if (object.metadata.name !== undefined && object.metadata.name !== name) {
      throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (object.metadata.namespace !== undefined && t.namespace !== undefined && object.metadata.namespace !== t.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const old = t.store.get(objectKey(t.namespace, name));
    if (!old) throw notFound(t.gr, name);
    const rv = object.metadata.resourceVersion;
    if (!rv && !t.type.allowUnconditionalUpdate) {
      throw invalid({ group: t.type.group, kind: t.type.kind }, name, [
        { reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' },
      ]);
    }
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(t.gr, name, OBJECT_MODIFIED);
    return this.writeUpdate(t, old, object, ctx, subresource, rv ?? undefined, 'update');
  }

  /**
   * The shared tail of update, patch and apply: isolate status, keep system metadata, validate,
   * bump generation, record managed fields, skip no-ops, admit and commit.
   */
  private async writeUpdate(
    t: Target,
    old: KubeObject,
    input: KubeObject,
    ctx: WriteContext,
    subresource: 'status' | undefined,
    precondition: string | undefined,
    mode: 'update' | 'applied',
  ): Promise<KubeObject> {
    let next = this.isolate(t, old, input, subresource);
    next = this.validateAndDefault(t, next, old, ctx.fieldValidation);
    if (t.type.generation && !subresource && old.metadata.generation !== undefined) {
      const ignored = t.version.status ? ['metadata', 'status'] : ['metadata'];
      if (!deepEqual(withoutKeys(old, ignored), withoutKeys(next, ignored))) {
        next = { ...next, metadata: { ...next.metadata, generation: old.metadata.generation + 1 } };
      }
    }
    if (mode === 'update') {
      next = recordUpdate({ live: old, updated: next, manager: this.manager(ctx), subresource, schema: t.version.schema, now: now(), status: t.version.status });
    }
    if (t.type.group === 'apiextensions.k8s.io' && !subresource) next = prepareCrd(next, old);
    if (deepEqual(comparable(old), comparable(next))) return presentAs(t, old);
    const key = objectKey(t.namespace, old.metadata.name!);
    this.checkWrite(t, next, old, ctx, subresource);
    if (this.admission.active) {
      await this.admission.admit(this.attributes(t, 'UPDATE', ctx, next, old, subresource));
      const current = t.store.get(key);
      if (!current) throw notFound(t.gr, old.metadata.name!);
      if (current.metadata.resourceVersion !== old.metadata.resourceVersion) {
        if (precondition) throw conflict(t.gr, old.metadata.name!, OBJECT_MODIFIED);
        throw new RetryWrite();
      }
    }
    if (ctx.dryRun) return presentAs(t, next);
    if (next.metadata.deletionTimestamp && pendingFinalizers(next).length === 0) {
      return presentAs(t, this.commit(t, 'DELETED', next, old));
    }
    return presentAs(t, this.commit(t, 'MODIFIED', next, old));
  }

  /** Status subresource isolation and the metadata a client may not change. */
  private isolate(t: Target, old: KubeObject, input: KubeObject, subresource: 'status' | undefined): KubeObject {
    if (subresource === 'status') {
      const next: KubeObject = { ...old, metadata: { ...old.metadata, managedFields: input.metadata.managedFields ?? old.metadata.managedFields } };
      if (input.status === undefined) delete next.status;
      else next.status = input.status;
      return next;
    }
    const metadata: ObjectMeta = { ...input.metadata };
    for (const key of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'name', 'namespace'] as const) {
      if (old.metadata[key] === undefined) delete metadata[key];
      else (metadata as Record<string, unknown>)[key] = old.metadata[key];
    }
    delete metadata.selfLink;
    metadata.resourceVersion = old.metadata.resourceVersion;
    if (input.metadata.managedFields === undefined) metadata.managedFields = old.metadata.managedFields;
    const next: KubeObject = { ...input, apiVersion: old.apiVersion, metadata };
    if (t.version.status) {
      if (old.status === undefined) delete next.status;
      else next.status = old.status;
    }
    return next;
  }

  async patch(ref: ResourceRef, name: string, request: PatchRequest, ctx: WriteContext, subresource?: Subresource): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.patchOnce(ref, name, request, ctx, subresource);
      } catch (e) {
        if (!(e instanceof RetryWrite) || attempt >= 5) {
          if (e instanceof RetryWrite) throw conflict(this.resolve(ref).gr, name, OBJECT_MODIFIED);
          throw e;
        }
      }
    }
  }

  private async patchOnce(ref: ResourceRef, name: string, request: PatchRequest, ctx: WriteContext, subresource?: Subresource): Promise<KubeObject> {
    const t = this.resolve(ref);
    if (subresource === 'status' && !t.version.status) throw pathNotFound();
    if (request.type === 'strategic' && !t.type.builtin) {
      throw unsupportedMediaType('application/strategic-merge-patch+json', CUSTOM_PATCH_TYPES);
    }
    const old = t.store.get(objectKey(t.namespace, name));
    if (request.type === 'apply') return this.apply(t, name, old, request, ctx, subresource === 'status' ? 'status' : undefined);
    if (!old) throw notFound(t.gr, name);
    if (subresource === 'scale') {
      const scale = this.scaleOf(t, old);
      const patched = request.type === 'json' ? jsonPatch(scale, request.body) : mergePatch(scale, request.body);
      return this.updateScale(t, name, patched, ctx);
    }
    const current = presentAs(t, old);
    let patched: unknown;
    switch (request.type) {
      case 'merge':
        if (!isObject(request.body)) throw badRequest('the body of the request was not a JSON object');
        patched = mergePatch(current, request.body);
        break;
      case 'json':
        patched = jsonPatch(current, request.body);
        break;
      case 'strategic':
        if (!isObject(request.body)) throw badRequest('the body of the request was not a JSON object');
        patched = strategicMergePatch(current, request.body, t.version.schema);
        break;
      default:
        throw badRequest(`unknown patch type ${String(request.type)}`);
    }
    const object = this.checkBody(t, patched);
    if (object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
    const rv = object.metadata.resourceVersion;
    if (rv !== old.metadata.resourceVersion) {
      if (rv) throw conflict(t.gr, name, OBJECT_MODIFIED);
      object.metadata.resourceVersion = old.metadata.resourceVersion;
    }
    const precondition = isObject(request.body) && isObject(request.body.metadata) && request.body.metadata.resourceVersion ? rv : undefined;
    return this.writeUpdate(t, old, object, ctx, subresource === 'status' ? 'status' : undefined, precondition, 'update');
  }

  private async apply(
    t: Target,
    name: string,
    live: KubeObject | undefined,
    request: PatchRequest,
    ctx: WriteContext,
    subresource: 'status' | undefined,
  ): Promise<KubeObject> {
    if (!ctx.fieldManager) {
      throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
        { reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' },
      ]);
    }
    if (!isObject(request.body)) throw badRequest('the body of the request was not a JSON object');
    const applied = this.checkBody(t, request.body);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    applied.metadata.name = name;
    if (t.namespace !== undefined) {
      if (applied.metadata.namespace !== undefined && applied.metadata.namespace !== t.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      applied.metadata.namespace = t.namespace;
    }
    const precondition = applied.metadata.resourceVersion;
    if (precondition && precondition !== live?.metadata.resourceVersion) {
      if (!live) throw notFound(t.gr, name);
      throw conflict(t.gr, name, OBJECT_MODIFIED);
    }
    if (!live && subresource) throw notFound(t.gr, name);
    const result = applyPatch({
      live: live && presentAs(t, live),
      applied,
      manager: ctx.fieldManager,
      force: !!request.force,
      subresource,
      schema: t.version.schema,
      now: now(),
      status: t.version.status,
    });
    if (!result.ok) throw result.error;
    if (!live) {
      this.checkNamespace(t, name);
      const draft = this.prepareCreate(t, result.object, ctx.fieldValidation);
      draft.metadata.managedFields = result.object.metadata.managedFields;
      return this.admitCreate(t, draft, ctx);
    }
    return this.writeUpdate(t, live, result.object, ctx, subresource, precondition, 'applied');
  }

  async delete(ref: ResourceRef, name: string, options: DeleteOptions, ctx: WriteContext): Promise<KubeObject | Status> {
    const t = this.resolve(ref);
    const key = objectKey(t.namespace, name);
    const old = t.store.get(key);
    if (!old) throw notFound(t.gr, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(t.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(t.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    if (this.admission.active) {
      await this.admission.admit(this.attributes(t, 'DELETE', ctx, undefined, old));
      if (t.store.get(key) !== old) throw conflict(t.gr, name, OBJECT_MODIFIED);
    }
    const policy = options.propagationPolicy ?? legacyPropagation(options.orphanDependents) ?? t.type.defaultPropagation;
    const finalizers = [...(old.metadata.finalizers ?? [])];
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    const isNamespace = t.type.group === '' && t.type.plural === 'namespaces';
    const held = finalizers.length > 0 || isNamespace;
    if (held) {
      if (old.metadata.deletionTimestamp && deepEqual(finalizers, old.metadata.finalizers ?? [])) return presentAs(t, old);
      const next: KubeObject = {
        ...old,
        metadata: {
          ...old.metadata,
          deletionTimestamp: old.metadata.deletionTimestamp ?? now(),
          deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds ?? 0,
          finalizers,
        },
      };
      if (isNamespace) next.status = { ...(old.status as object), phase: 'Terminating' };
      if (ctx.dryRun) return presentAs(t, next);
      return presentAs(t, this.commit(t, 'MODIFIED', next, old));
    }
    if (ctx.dryRun) return this.deleted(t, old);
    return this.deleted(t, this.commit(t, 'DELETED', old, old));
  }

  /**
   * kube answers a completed delete with the object where the registry sets ReturnDeletedObject
   * (custom resources, ServiceAccounts, Services, Namespaces), else a Status with the details
   * (genericregistry.Store.Delete in k8s.io/apiserver/pkg/registry/generic/registry/store.go).
   */
  private deleted(t: Target, object: KubeObject): KubeObject | Status {
    if (!t.type.builtin || t.type.returnDeletedObject) return presentAs(t, object);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: object.metadata.name, ...(t.type.group ? { group: t.type.group } : {}), kind: t.type.plural, uid: object.metadata.uid },
    } as Status;
  }

  async deleteCollection(ref: ResourceRef, list: ListOptions, options: DeleteOptions, ctx: WriteContext): Promise<ListResult | Status> {
    const t = this.resolve(ref);
    const result = this.list(ref, { labelSelector: list.labelSelector, fieldSelector: list.fieldSelector });
    const deleted: KubeObject[] = [];
    for (const item of result.items) {
      try {
        const out = await this.delete({ ...ref, namespace: item.metadata.namespace }, item.metadata.name!, options, ctx);
        if (out.kind !== 'Status') deleted.push(out as KubeObject);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    if (t.type.builtin) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 } as Status;
    return { ...result, items: deleted };
  }

  // ---------------------------------------------------------------- scale

  private scaleOf(t: Target, object: KubeObject): KubeObject {
    const scale = t.version.scale;
    if (!scale) throw pathNotFound();
    const selector = scale.labelSelectorPath ? getPath(object, scale.labelSelectorPath) : undefined;
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
        creationTimestamp: object.metadata.creationTimestamp,
      },
      spec: { replicas: getPath(object, scale.specReplicasPath) ?? 0 },
      status: { replicas: getPath(object, scale.statusReplicasPath) ?? 0, ...(selector ? { selector } : {}) },
    };
  }

  private async updateScale(t: Target, name: string, body: unknown, ctx: WriteContext): Promise<KubeObject> {
    const scale = t.version.scale;
    if (!scale) throw pathNotFound();
    const old = t.store.get(objectKey(t.namespace, name));
    if (!old) throw notFound(t.gr, name);
    if (!isObject(body)) throw badRequest('the body of the request was not a JSON object');
    const rv = isObject(body.metadata) ? (body.metadata.resourceVersion as string | undefined) : undefined;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(t.gr, name, OBJECT_MODIFIED);
    const replicas = isObject(body.spec) ? body.spec.replicas : undefined;
    const next = setPath(old, scale.specReplicasPath, replicas) as KubeObject;
    const written = await this.writeUpdate(t, old, next, ctx, undefined, rv, 'update');
    return this.scaleOf(t, written);
  }

  // ---------------------------------------------------------------- CRDs

  /** Serves, re-serves or stops serving the resource of a CRD as it is committed. */
  syncCrd(type: WatchEventType, crd: KubeObject): void {
    const resource = resourceTypeFromCrd(crd);
    if (type === 'DELETED') {
      const store = this.store.resource(resource.group, resource.plural);
      const target: Target = { type: resource, version: storageVersion(resource), store, gr: { group: resource.group, resource: resource.plural } };
      for (const object of [...store.objects.values()]) this.commit(target, 'DELETED', object, object);
      this.registry.remove(resource.group, resource.plural);
      this.store.dropResource(resource.group, resource.plural);
      return;
    }
    // A resource begins to be served now: as the watch cache starts at the revision it was
    // created at (storage/cacher), a watch from before then answers 410, not a replay.
    if (!this.registry.lookup(resource.group, storageVersion(resource).name, resource.plural)) this.store.startServing(resource.group, resource.plural);
    this.registry.add(resource);
  }

  // ---------------------------------------------------------------- watch

  watch(ref: ResourceRef, options: WatchOptions, sink: WatchSink): WatchHandle {
    return watchResource(this.store, this.resolve(ref), options, sink, this.bookmarkIntervalMs);
  }

  /** Rejects a method the route does not support. */
  static notAllowed(): never {
    throw methodNotAllowed();
  }
}
