import { randomUUID } from 'node:crypto';
import { StructuralSchema } from '../schema';
import type { JSONSchemaProps } from '../schema/types';
import { applyPatch, recordUpdate } from './fieldManagement';
import type { ClusterStore } from '../store/ClusterStore';
import { ResourceStore, StoredEvent, WatchEventType, objectKey } from '../store/ResourceStore';
import { decodeContinue, encodeContinue } from '../store/continueToken';
import { encodeObject } from '../store/encode';
import type { KubeObject, ObjectMeta, UserInfo } from '../types';
import { ResourceRegistry, resourceTypeFromCrd } from './ResourceRegistry';
import { ResourceType, ResourceVersion, apiVersionOf, storageVersion } from './ResourceType';
import {
  CONTINUE_EXPIRED_MESSAGE,
  OBJECT_MODIFIED,
  Status,
  StatusCause,
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  methodNotAllowed,
  notFound,
  pathNotFound,
  tooLargeResourceVersion,
  tooOldResourceVersion,
  unsupportedMediaType,
} from './StatusError';
import { Selector, combine, parseFieldSelector, parseLabelSelector } from './selectors';
import { deepEqual, jsonPatch, mergePatch, strategicMergePatch } from './patches';
import type { AdmissionAttributes, ValidatingAdmission } from './ValidatingAdmission';
import { FieldValidation, closedSchemaUnknownFields, pruneUnknownMetadata } from './fieldValidation';

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

interface Target {
  type: ResourceType;
  version: ResourceVersion;
  store: ResourceStore;
  namespace?: string;
  gr: { group: string; resource: string };
}

const SYSTEM_KEYS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CUSTOM_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** A patch raced with another write while waiting for admission; it is retried like kube's GuaranteedUpdate. */
class RetryWrite extends Error {}

/** The propagation policy the deprecated `orphanDependents` option asks for, if set. */
function legacyPropagation(orphanDependents: boolean | undefined): 'Orphan' | 'Background' | undefined {
  if (orphanDependents === true) return 'Orphan';
  if (orphanDependents === false) return 'Background';
  return undefined;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

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

  /** The object as the requested version presents it (versions share storage, no conversion). */
  private present(t: Target, object: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(t.type.group, t.version.name);
    return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
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
    return this.present(t, object);
  }

  list(ref: ResourceRef, options: ListOptions = {}): ListResult {
    const t = this.resolve(ref);
    const selector = combine(
      parseLabelSelector(options.labelSelector),
      parseFieldSelector(options.fieldSelector, t.type.kind, t.type.builtin),
    );
    let listRv = this.store.currentRv;
    let objects: Map<string, KubeObject> = t.store.objects;
    let start: string | undefined;
    if (options.continue) {
      const position = decodeContinue(options.continue);
      const snapshot = t.store.snapshotAt(position.rv);
      if (!snapshot) throw expired(CONTINUE_EXPIRED_MESSAGE);
      objects = snapshot;
      listRv = position.rv;
      start = position.start;
    } else if (options.resourceVersion && options.resourceVersion !== '0') {
      const rv = this.parseRv(options.resourceVersion);
      if (rv > this.store.currentRv) throw tooLargeResourceVersion(rv, this.store.currentRv);
      if (options.resourceVersionMatch === 'Exact') {
        const snapshot = t.store.snapshotAt(rv);
        if (!snapshot) throw tooOldResourceVersion(rv, t.store.compactedRv + 1);
        objects = snapshot;
        listRv = rv;
      }
    }
    const live = objects === t.store.objects;
    const keys = live ? t.store.keys() : [...objects.keys()].sort();
    const prefix = t.namespace ? `${t.namespace}/` : undefined;
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const items: KubeObject[] = [];
    let last: string | undefined;
    let more = false;
    let remaining = 0;
    // Keys are sorted: a namespace's objects are one contiguous run.
    const from = prefix && live ? t.store.seek(prefix) : 0;
    for (let i = from; i < keys.length; i++) {
      const key = keys[i];
      if (prefix && !key.startsWith(prefix)) {
        if (live && i > from) break;
        continue;
      }
      if (start !== undefined && key <= start) continue;
      const object = objects.get(key)!;
      if (!selector.matches(object)) continue;
      if (items.length >= limit) {
        more = true;
        remaining++;
        continue;
      }
      items.push(this.present(t, object));
      last = key;
    }
    const metadata: ListResult['metadata'] = { resourceVersion: String(listRv) };
    if (more && last !== undefined) {
      metadata.continue = encodeContinue({ rv: listRv, start: last });
      if (selector.empty) metadata.remainingItemCount = remaining;
    }
    return { kind: t.type.listKind, apiVersion: apiVersionOf(t.type.group, t.version.name), metadata, items };
  }

  private parseRv(text: string): number {
    const rv = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(rv)) {
      throw badRequest(`invalid resource version "${text}"`);
    }
    return rv;
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
    const draft = this.prepareCreate(t, object, ctx.fieldValidation);
    let prepared = recordUpdate({ live: undefined, updated: draft, manager: this.manager(ctx), schema: t.version.schema, now: now(), status: t.version.status });
    // Status a built-in sets on create (a Namespace's phase) is the apiserver's own doing, so it survives the reset.
    if (t.type.builtin && draft.status !== undefined && prepared.status === undefined) prepared = { ...prepared, status: draft.status };
    // The CRD status is the apiserver's own doing, so it is set after the status reset.
    if (t.type.group === 'apiextensions.k8s.io') prepared = this.prepareCrd(prepared);
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
    if (!metadata.name && metadata.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
      metadata.name = `${metadata.generateName}${suffix}`;
    }
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
    if (t.type.group === 'apiextensions.k8s.io') object = this.prepareCrd(object);
    return this.validateAndDefault(t, object, undefined, fieldValidation);
  }

  /** Metadata checks kube applies to every kind, then the CRD schema (prune, default, validate). */
  private validateAndDefault(t: Target, object: KubeObject, old?: KubeObject, fieldValidation?: FieldValidation): KubeObject {
    const causes: StatusCause[] = [];
    const name = object.metadata.name;
    if (!name) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
    } else if (!old && t.type.pathSegmentNames) {
      const bad = name === '.' || name === '..' ? `may not be '${name}'` : ['/', '%'].filter(c => name.includes(c)).map(c => `may not contain '${c}'`)[0];
      if (bad) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${bad}`, field: 'metadata.name' });
    } else if (!old) {
      const isNamespace = t.type.group === '' && t.type.plural === 'namespaces';
      const re = isNamespace ? DNS_LABEL : DNS_SUBDOMAIN;
      if (!re.test(name) || name.length > (isNamespace ? 63 : 253)) {
        const what = isNamespace
          ? `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
          : `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
        causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${what}`, field: 'metadata.name' });
      }
    }
    for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
      if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
          field: `metadata.labels`,
        });
        void key;
      }
    }
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
      causes.push(...admitted.causes);
    } else if (t.type.builtin && t.version.schema) {
      unknown.push(...closedSchemaUnknownFields(t.version.schema, result));
    }
    // kube decodes (and refuses a strict decoding error) before it validates.
    fieldValidation?.report(t.type.kind, t.version.name, unknown);
    if (t.type.group === 'apiextensions.k8s.io') causes.push(...this.validateCrd(result));
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
    if (ctx.dryRun) return this.present(t, object);
    return this.present(t, this.commit(t, 'ADDED', object, undefined));
  }

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
      object: object && this.present(t, object),
      oldObject: oldObject && this.present(t, oldObject),
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
    if (t.type.group === 'apiextensions.k8s.io' && !subresource) next = this.prepareCrd(next, old);
    if (deepEqual(comparable(old), comparable(next))) return this.present(t, old);
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
    if (ctx.dryRun) return this.present(t, next);
    if (next.metadata.deletionTimestamp && pendingFinalizers(next).length === 0) {
      return this.present(t, this.commit(t, 'DELETED', next, old));
    }
    return this.present(t, this.commit(t, 'MODIFIED', next, old));
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
    const current = this.present(t, old);
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
      live: live && this.present(t, live),
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
      if (old.metadata.deletionTimestamp && deepEqual(finalizers, old.metadata.finalizers ?? [])) return this.present(t, old);
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
      if (ctx.dryRun) return this.present(t, next);
      return this.present(t, this.commit(t, 'MODIFIED', next, old));
    }
    if (ctx.dryRun) return this.deleted(t, old);
    return this.deleted(t, this.commit(t, 'DELETED', old, old));
  }

  /** kube answers a completed delete with the object for custom resources, a Status for built-ins. */
  private deleted(t: Target, object: KubeObject): KubeObject | Status {
    if (!t.type.builtin) return this.present(t, object);
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

  /** Accepts a CRD at once: kube does so a few milliseconds later, with the same conditions. */
  private prepareCrd(crd: KubeObject, old?: KubeObject): KubeObject {
    const spec = crd.spec as { names?: Record<string, unknown>; versions?: Array<{ name: string; storage?: boolean }> } | undefined;
    if (!spec?.names) return crd;
    const names = spec.names as { kind?: string; plural?: string; singular?: string; listKind?: string };
    const acceptedNames = {
      ...names,
      singular: names.singular ?? names.kind?.toLowerCase(),
      listKind: names.listKind ?? `${names.kind}List`,
    };
    const time = now();
    const conditionTime = (type: string) =>
      ((old?.status as { conditions?: Array<{ type: string; lastTransitionTime: string }> } | undefined)?.conditions ?? []).find(c => c.type === type)
        ?.lastTransitionTime ?? time;
    const storage = spec.versions?.find(v => v.storage)?.name;
    const previous = ((old?.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? []);
    return {
      ...crd,
      status: {
        conditions: [
          { type: 'NamesAccepted', status: 'True', lastTransitionTime: conditionTime('NamesAccepted'), reason: 'NoConflicts', message: 'no conflicts found' },
          { type: 'Established', status: 'True', lastTransitionTime: conditionTime('Established'), reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
        ],
        acceptedNames,
        storedVersions: storage && !previous.includes(storage) ? [...previous, storage] : previous,
      },
    };
  }

  private validateCrd(crd: KubeObject): StatusCause[] {
    const spec = crd.spec as {
      group?: string;
      names?: { plural?: string; kind?: string };
      scope?: string;
      versions?: Array<{ name: string; storage?: boolean; schema?: { openAPIV3Schema?: JSONSchemaProps } }>;
    } | undefined;
    const causes: StatusCause[] = [];
    if (!spec?.group) causes.push({ reason: 'FieldValueRequired', field: 'spec.group', message: 'Required value' });
    if (!spec?.names?.plural) causes.push({ reason: 'FieldValueRequired', field: 'spec.names.plural', message: 'Required value' });
    if (!spec?.names?.kind) causes.push({ reason: 'FieldValueRequired', field: 'spec.names.kind', message: 'Required value' });
    if (spec?.scope !== 'Namespaced' && spec?.scope !== 'Cluster') {
      causes.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: "${spec?.scope ?? ''}": supported values: "Cluster", "Namespaced"` });
    }
    const versions = spec?.versions ?? [];
    if (versions.length === 0) causes.push({ reason: 'FieldValueRequired', field: 'spec.versions', message: 'Required value: must have exactly one version marked as storage version' });
    else if (versions.filter(v => v.storage).length !== 1) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.versions', message: `Invalid value: ${JSON.stringify(versions.map(v => v.name))}: must have exactly one version marked as storage version` });
    }
    if (spec?.group && spec.names?.plural && crd.metadata.name !== `${spec.names.plural}.${spec.group}`) {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group` });
    }
    versions.forEach((v, i) => {
      const schema = v.schema?.openAPIV3Schema;
      if (!schema) return;
      try {
        StructuralSchema.compile(schema, { fieldPath: `spec.versions[${i}].schema.openAPIV3Schema` });
      } catch (e) {
        const causesOf = (e as { causes?: StatusCause[] }).causes;
        causes.push(...(causesOf ?? [{ reason: 'FieldValueInvalid', field: `spec.versions[${i}].schema.openAPIV3Schema`, message: (e as Error).message }]));
      }
    });
    return causes;
  }

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
    this.registry.add(resource);
  }

  // ---------------------------------------------------------------- watch

  watch(ref: ResourceRef, options: WatchOptions, sink: WatchSink): WatchHandle {
    const t = this.resolve(ref);
    const selector: Selector = combine(
      parseLabelSelector(options.labelSelector),
      parseFieldSelector(options.fieldSelector, t.type.kind, t.type.builtin),
    );
    const apiVersion = apiVersionOf(t.type.group, t.version.name);
    const rvText = options.resourceVersion;
    let startRv: number | undefined;
    if (rvText && rvText !== '0' && !options.sendInitialEvents) {
      startRv = this.parseRv(rvText);
      if (startRv > this.store.currentRv) throw tooLargeResourceVersion(startRv, this.store.currentRv);
    }
    let stopped = false;
    const timers: NodeJS.Timeout[] = [];
    const bookmark = () => {
      const object = { kind: t.type.kind, apiVersion, metadata: { resourceVersion: String(this.store.currentRv) } } as KubeObject;
      sink.send('BOOKMARK', object, () => `{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
    };
    const watcher = {
      namespace: t.namespace,
      deliver: (event: StoredEvent) => this.deliver(event, selector, apiVersion, sink),
    };
    const handle: WatchHandle = {
      stop: () => {
        if (stopped) return;
        stopped = true;
        t.store.watchers.delete(watcher);
        timers.forEach(clearTimeout);
        sink.close();
      },
    };
    if (startRv !== undefined && !t.store.canResumeFrom(startRv)) {
      const status = tooOldResourceVersion(startRv, t.store.compactedRv + 1).toStatus();
      sink.send('ERROR', status, () => `{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      setImmediate(handle.stop);
      return handle;
    }
    if (startRv === undefined) {
      const prefix = t.namespace ? `${t.namespace}/` : undefined;
      for (const key of t.store.keys()) {
        if (prefix && !key.startsWith(prefix)) continue;
        const object = t.store.get(key)!;
        if (!selector.matches(object)) continue;
        const shown = this.present(t, object);
        sink.send('ADDED', shown, () => `{"type":"ADDED","object":${encodeObject(shown)}}\n`);
      }
      if (options.sendInitialEvents) {
        const object = {
          kind: t.type.kind,
          apiVersion,
          metadata: { resourceVersion: String(this.store.currentRv), annotations: { 'k8s.io/initial-events-end': 'true' } },
        } as KubeObject;
        sink.send('BOOKMARK', object, () => `{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
      }
    } else {
      for (const event of t.store.eventsSince(startRv)) {
        if (t.namespace && event.object.metadata.namespace !== t.namespace) continue;
        this.deliver(event, selector, apiVersion, sink);
      }
    }
    t.store.watchers.add(watcher);
    if (options.allowWatchBookmarks) {
      const interval = setInterval(bookmark, this.bookmarkIntervalMs);
      interval.unref();
      timers.push(interval);
    }
    if (options.timeoutSeconds && options.timeoutSeconds > 0) {
      const timeout = setTimeout(() => {
        if (options.allowWatchBookmarks) bookmark();
        handle.stop();
      }, options.timeoutSeconds * 1000);
      timeout.unref();
      timers.push(timeout);
    }
    return handle;
  }

  /** Sends an event as a selector-narrowed watch sees it: leaving the selection is a DELETED. */
  private deliver(event: StoredEvent, selector: Selector, apiVersion: string, sink: WatchSink): void {
    let type: WatchEventType = event.type;
    if (!selector.empty) {
      const now_ = selector.matches(event.object);
      const before = event.prev !== undefined && selector.matches(event.prev);
      if (event.type === 'ADDED' && !now_) return;
      if (event.type === 'DELETED' && !now_ && !before) return;
      if (event.type === 'MODIFIED') {
        if (!now_ && !before) return;
        if (now_ && !before) type = 'ADDED';
        if (!now_ && before) type = 'DELETED';
      }
    }
    if (event.object.apiVersion === apiVersion) {
      sink.send(type, event.object, () => event.line(type));
    } else {
      const shown = { ...event.object, apiVersion };
      sink.send(type, shown, () => `{"type":"${type}","object":${JSON.stringify(shown)}}\n`);
    }
  }

  /** Rejects a method the route does not support. */
  static notAllowed(): never {
    throw methodNotAllowed();
  }
}
