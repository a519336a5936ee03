import type { StatusCause } from '../server/StatusError';
import { deepEqual } from '../server/patches';
import type { KubeObject } from '../types';
import { fieldForbidden, fieldImmutable, fieldInvalid, fieldNotSupported, fieldRequired, fieldTooLong } from '../validation/fieldErrors';
import { isConfigMapKey, isDns1123Subdomain, isQualifiedName } from '../validation/names';
import { quantityBytes } from '../controllers/snapshots/quantity';
import { isPlainObject } from '../schema/jsonValue';

// The rules of pkg/apis/core/validation/validation.go and pkg/apis/coordination/validation
// (kube 1.31) for the core kinds the product and the simulated controllers write.

type Json = Record<string, unknown>;

const entries = (v: unknown): Array<[string, unknown]> => (isPlainObject(v) ? Object.entries(v) : []);

/** `core.MaxSecretSize`: a Secret's or ConfigMap's data together. */
export const MAX_SECRET_SIZE = 1024 * 1024;

const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

/** `SetDefaults_Secret` and the v1 conversion: stringData is merged into base64 data on every write. */
export function defaultSecret(secret: Json): void {
  const stringData = secret.stringData;
  if (isPlainObject(stringData)) {
    const data: Json = { ...(isPlainObject(secret.data) ? secret.data : {}) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    secret.data = data;
    delete secret.stringData;
  }
  secret.type ||= 'Opaque';
}

/** Keys each Secret type requires (`ValidateSecret`). */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

/** `ValidateSecret` and `ValidateSecretUpdate`: data keys, 1 MiB, keys per type, type immutable, `immutable`. */
export function validateSecret(secret: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old) {
    if (secret.type !== old.type) causes.push(fieldImmutable('type', secret.type ?? ''));
    if (old.immutable === true) {
      if (secret.immutable !== true) causes.push(fieldForbidden('immutable', IMMUTABLE_SET));
      if (!deepEqual(secret.data ?? {}, old.data ?? {})) causes.push(fieldForbidden('data', IMMUTABLE_SET));
    }
  }
  let size = 0;
  for (const [key, value] of entries(secret.data)) {
    for (const message of isConfigMapKey(key)) causes.push(fieldInvalid(`data[${key}]`, key, message));
    size += Buffer.from(String(value), 'base64').length;
  }
  if (size > MAX_SECRET_SIZE) causes.push(fieldTooLong('data', MAX_SECRET_SIZE));
  const data = isPlainObject(secret.data) ? secret.data : {};
  const type = String(secret.type ?? '');
  if (type === 'kubernetes.io/service-account-token') {
    if (!secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
      causes.push(fieldRequired('metadata.annotations[kubernetes.io/service-account.name]'));
    }
  } else if (type === 'kubernetes.io/basic-auth') {
    if (!('username' in data) && !('password' in data)) causes.push(fieldRequired('data[username]'), fieldRequired('data[password]'));
  } else {
    for (const key of REQUIRED_KEYS[type] ?? []) if (!(key in data)) causes.push(fieldRequired(`data[${key}]`));
  }
  return causes;
}

/** `ValidateConfigMap` and `ValidateConfigMapUpdate`: keys, no key in both bags, 1 MiB, `immutable`. */
export function validateConfigMap(configMap: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old?.immutable === true) {
    if (configMap.immutable !== true) causes.push(fieldForbidden('immutable', IMMUTABLE_SET));
    if (!deepEqual(configMap.data ?? {}, old.data ?? {})) causes.push(fieldForbidden('data', IMMUTABLE_SET));
    if (!deepEqual(configMap.binaryData ?? {}, old.binaryData ?? {})) causes.push(fieldForbidden('binaryData', IMMUTABLE_SET));
  }
  const binary = isPlainObject(configMap.binaryData) ? configMap.binaryData : {};
  let size = 0;
  for (const [key, value] of entries(configMap.data)) {
    for (const message of isConfigMapKey(key)) causes.push(fieldInvalid(`data[${key}]`, key, message));
    if (key in binary) causes.push(fieldInvalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(String(value));
  }
  for (const [key, value] of entries(configMap.binaryData)) {
    for (const message of isConfigMapKey(key)) causes.push(fieldInvalid(`binaryData[${key}]`, key, message));
    size += Buffer.from(String(value), 'base64').length;
  }
  // kube passes an empty path: the error is about the whole object.
  if (size > MAX_SECRET_SIZE) causes.push(fieldTooLong('', MAX_SECRET_SIZE));
  return causes;
}

/** `ValidateLeaseSpec` (pkg/apis/coordination/validation). */
export function validateLease(lease: KubeObject): StatusCause[] {
  const spec = isPlainObject(lease.spec) ? lease.spec : {};
  const causes: StatusCause[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    causes.push(fieldInvalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
    causes.push(fieldInvalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return causes;
}

/**
 * `legacyValidateEvent` for core/v1 Events (kube validates no other metadata of them): the
 * involved object's namespace matches the Event's, and an Event with an eventTime names its
 * reporting component, instance, action and reason.
 */
export function validateCoreEvent(event: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const namespace = event.metadata.namespace ?? '';
  const involved = isPlainObject(event.involvedObject) ? event.involvedObject : {};
  const involvedNamespace = typeof involved.namespace === 'string' ? involved.namespace : '';
  const mismatch = fieldInvalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace');
  if (!event.eventTime) {
    if (involvedNamespace ? namespace !== involvedNamespace : namespace !== '' && namespace !== 'default') causes.push(mismatch);
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') causes.push(mismatch);
    const controller = typeof event.reportingComponent === 'string' ? event.reportingComponent : '';
    if (!controller) causes.push(fieldRequired('reportingComponent'));
    for (const message of isQualifiedName(controller)) causes.push(fieldInvalid('reportingComponent', controller, message));
    const text = (key: string) => (typeof event[key] === 'string' ? (event[key] as string) : '');
    if (!text('reportingInstance')) causes.push(fieldRequired('reportingInstance'));
    else if (text('reportingInstance').length > 128) causes.push(fieldInvalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!text('action')) causes.push(fieldRequired('action'));
    else if (text('action').length > 128) causes.push(fieldInvalid('action', '', 'can have at most 128 characters'));
    if (!text('reason')) causes.push(fieldRequired('reason'));
    else if (text('reason').length > 128) causes.push(fieldInvalid('reason', '', 'can have at most 128 characters'));
    if (text('message').length > 1024) causes.push(fieldInvalid('message', '', 'can have at most 1024 characters'));
  }
  for (const message of isDns1123Subdomain(namespace)) causes.push(fieldInvalid('namespace', namespace, message));
  return causes;
}

/** `ValidateEventCreate` for events.k8s.io/v1: the legacy rules, then eventTime, type and no deprecated fields. */
export function validateEventsV1(event: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!event.eventTime) causes.push(fieldRequired('eventTime'));
  if (event.type !== 'Normal' && event.type !== 'Warning') causes.push(fieldInvalid('type', '', `has invalid value: ${String(event.type ?? '')}`));
  const controller = typeof event.reportingController === 'string' ? event.reportingController : '';
  if (!controller) causes.push(fieldRequired('reportingController'));
  for (const message of isQualifiedName(controller)) causes.push(fieldInvalid('reportingController', controller, message));
  if (!event.reportingInstance) causes.push(fieldRequired('reportingInstance'));
  if (!event.action) causes.push(fieldRequired('action'));
  if (!event.reason) causes.push(fieldRequired('reason'));
  return causes;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/** `SetDefaults_PersistentVolumeClaimSpec`. */
export function defaultPvc(pvc: Json): void {
  if (!isPlainObject(pvc.spec)) pvc.spec = {};
  (pvc.spec as Json).volumeMode ??= 'Filesystem';
}

function storageRequest(spec: Json): unknown {
  const resources = isPlainObject(spec.resources) ? spec.resources : {};
  return isPlainObject(resources.requests) ? resources.requests.storage : undefined;
}

/**
 * `ValidatePersistentVolumeClaim` and its update: access modes, a positive storage request, and a
 * spec that only the storage request (growing) and a first volumeName may change. kube allows
 * the resize for bound claims only; kube-sim has no provisioner to bind them, so it treats every
 * claim as bound, as it would be on a cluster with a default StorageClass.
 */
export function validatePvc(pvc: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = isPlainObject(pvc.spec) ? pvc.spec : {};
  const causes: StatusCause[] = [];
  const modes = Array.isArray(spec.accessModes) ? (spec.accessModes as unknown[]) : [];
  if (modes.length === 0) causes.push(fieldRequired('spec.accessModes', 'at least 1 access mode is required'));
  for (const mode of modes) if (!ACCESS_MODES.includes(mode as string)) causes.push(fieldNotSupported('spec.accessModes', mode, ACCESS_MODES));
  const storage = storageRequest(spec);
  if (storage === undefined) causes.push(fieldRequired('spec.resources[storage]'));
  else {
    const bytes = quantityBytes(String(storage));
    if (bytes !== undefined && bytes <= 0) causes.push(fieldInvalid('spec.resources[storage]', String(storage), 'must be greater than zero'));
  }
  if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(spec.volumeMode as string)) {
    causes.push(fieldNotSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  }
  if (typeof spec.storageClassName === 'string' && spec.storageClassName) {
    for (const message of isDns1123Subdomain(spec.storageClassName)) causes.push(fieldInvalid('spec.storageClassName', spec.storageClassName, message));
  }
  if (old) {
    const before = isPlainObject(old.spec) ? old.spec : {};
    const comparable = (s: Json, volumeName: unknown) => {
      const requests = { ...(isPlainObject(s.resources) && isPlainObject(s.resources.requests) ? s.resources.requests : {}) };
      delete requests.storage;
      return { ...s, volumeName, volumeAttributesClassName: undefined, resources: { ...(isPlainObject(s.resources) ? s.resources : {}), requests } };
    };
    const volumeName = before.volumeName ? before.volumeName : spec.volumeName;
    if (!deepEqual(JSON.parse(JSON.stringify(comparable(spec, spec.volumeName))), JSON.parse(JSON.stringify(comparable(before, volumeName))))) {
      causes.push(fieldForbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
    const newSize = storage === undefined ? undefined : quantityBytes(String(storage));
    const oldSize = storageRequest(before) === undefined ? undefined : quantityBytes(String(storageRequest(before)));
    if (newSize !== undefined && oldSize !== undefined && newSize < oldSize) {
      causes.push(fieldForbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
    }
  }
  return causes;
}
