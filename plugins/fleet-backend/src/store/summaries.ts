import {
  applicationEngines,
  capabilityAnnotationFor,
  Condition,
  instanceEntityRef,
  InstanceSummary,
  instanceStatusOf,
  operationEngines,
  operationPhases,
  OperationSummary,
  operationTypes,
  ownerAnnotation,
} from '@vworkspace/backstage-plugin-fleet-common';
import { KubeObject, stripManagedFields } from '@vworkspace/kube-runtime';

/**
 * Everything the store keeps of one ApplicationInstance: the summary lists are made of, plus
 * what the detail view shows. Built once per watch event, so reads never touch raw objects.
 */
export interface InstanceRecord {
  summary: InstanceSummary;
  spec: Record<string, unknown>;
  conditions: Condition[];
  annotations: Record<string, string>;
  labels: Record<string, string>;
  release?: { kind: string; name: string; namespace: string };
  /** Lower-case name, namespace, cluster, app and owner, for the `q` search. */
  searchText: string;
}

type Loose = Record<string, unknown>;

function obj(value: unknown): Loose {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return values.includes(value as T) ? (value as T) : undefined;
}

/** Annotations kubectl and Helm add that are large and of no use to the fleet view. */
const droppedAnnotations = ['kubectl.kubernetes.io/last-applied-configuration'];

function annotationsOf(raw: KubeObject): Record<string, string> {
  // copied without them rather than deleted from a copy: see dropUndefined
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.metadata?.annotations ?? {})) {
    if (!droppedAnnotations.includes(key)) annotations[key] = value;
  }
  return annotations;
}

/**
 * What the informer caches keep of each watched object: the runtime's default (no
 * `metadata.managedFields`), and no annotations the store drops anyway. kubectl's
 * last-applied annotation is a second copy of the whole object, so a cache of objects applied
 * with kubectl would otherwise hold every object twice.
 */
export function leanForCache<T extends KubeObject>(raw: T): T {
  stripManagedFields(raw);
  const annotations = raw.metadata?.annotations;
  if (raw.metadata && annotations && droppedAnnotations.some(key => key in annotations)) {
    raw.metadata.annotations = annotationsOf(raw);
  }
  return raw;
}

/** Operation types the instance's capability annotations allow, with their engines. */
function capabilitiesOf(annotations: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const type of operationTypes) {
    const engine = annotations[capabilityAnnotationFor(type)];
    if (engine) out[type] = engine;
  }
  return out;
}

/** The store's record of an ApplicationInstance of `cluster`. */
export function toInstanceRecord(cluster: string, raw: KubeObject): InstanceRecord {
  const metadata = raw.metadata ?? {};
  const spec = obj(raw.spec);
  const status = obj(raw.status);
  const chart = obj(spec.chart);
  const deployed = obj(status.chart);
  const annotations = annotationsOf(raw);
  const namespace = metadata.namespace ?? '';
  const name = metadata.name ?? '';
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Condition[];
  const verdict = instanceStatusOf(raw as Parameters<typeof instanceStatusOf>[0]);
  const lastBackup = obj(status.lastBackup);
  const release = obj(status.release);
  const summary: InstanceSummary = {
    cluster,
    namespace,
    name,
    uid: metadata.uid ?? '',
    entityRef: instanceEntityRef({ cluster, namespace, name }),
    app: str(spec.app) ?? '',
    engine: oneOf(applicationEngines, spec.engine) ?? 'flux',
    owner: annotations[ownerAnnotation] || undefined,
    chart: {
      name: str(chart.name) ?? '',
      version: str(chart.version) ?? '',
      deployedVersion: str(deployed.version),
      appVersion: str(deployed.appVersion),
    },
    status: verdict.status,
    reason: verdict.reason || undefined,
    message: verdict.message || undefined,
    capabilities: capabilitiesOf(annotations),
    lastBackup:
      str(lastBackup.operation) && str(lastBackup.completedAt)
        ? { operation: lastBackup.operation as string, completedAt: lastBackup.completedAt as string }
        : undefined,
    generation: metadata.generation,
    observedGeneration: int(status.observedGeneration),
    createdAt: metadata.creationTimestamp,
    stale: false,
  };
  return {
    summary: dropUndefined(summary),
    searchText: [name, namespace, cluster, summary.app, summary.owner ?? ''].join('\u0000').toLowerCase(),
    spec,
    conditions,
    annotations,
    labels: { ...(metadata.labels ?? {}) },
    release:
      str(release.kind) && str(release.name)
        ? { kind: release.kind as string, name: release.name as string, namespace: str(release.namespace) ?? namespace }
        : undefined,
  };
}

/** The summary of an Operation of `cluster`. */
export function toOperationSummary(cluster: string, raw: KubeObject): OperationSummary {
  const metadata = raw.metadata ?? {};
  const spec = obj(raw.spec);
  const status = obj(raw.status);
  const target = obj(spec.target);
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Condition[];
  const accepted = conditions.find(c => c.type === 'Accepted');
  const engineStatus = obj(status.engineStatus);
  const hasEngineStatus = Object.keys(engineStatus).length > 0;
  const result = obj(status.result);
  const summary: OperationSummary = {
    cluster,
    namespace: metadata.namespace ?? '',
    name: metadata.name ?? '',
    uid: metadata.uid,
    type: oneOf(operationTypes, spec.type) ?? 'RunCommand',
    engine: oneOf(operationEngines, spec.engine),
    instance: str(target.applicationInstance) ?? '',
    phase: oneOf(operationPhases, status.phase),
    requestedBy: str(spec.requestedBy),
    reason: str(spec.reason),
    message: str(status.message),
    admission:
      accepted && accepted.status !== 'True'
        ? dropUndefined({ status: accepted.status, reason: accepted.reason || undefined, message: accepted.message || undefined })
        : undefined,
    createdAt: metadata.creationTimestamp,
    startedAt: str(status.startedAt),
    completedAt: str(status.completedAt),
    result: Object.keys(result).length > 0 ? result : undefined,
    engineStatus: hasEngineStatus
      ? dropUndefined({
          phase: str(engineStatus.phase),
          reason: str(engineStatus.reason),
          message: str(engineStatus.message),
        })
      : undefined,
    delivery: { state: 'delivered' },
    stale: false,
  };
  return dropUndefined(summary);
}

/**
 * A copy without the undefined fields, so JSON answers and equality checks stay tidy. A copy
 * rather than `delete`: deleting a property turns a V8 object into a dictionary, which takes
 * more memory and serializes about twice as slowly, and the store keeps one per object.
 */
export function dropUndefined<T extends object>(value: T): T {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out as T;
}
