import { createHash } from 'node:crypto';
import { fieldManager, operationLabel } from '@vworkspace/backstage-plugin-fleet-common';
import { isAlreadyExists, isNotFound, type KubeClient, type KubeObject, type OwnerReference, type ResourceKind } from '@vworkspace/kube-runtime';
import { EngineContext, EngineFailure } from './Engine';

/**
 * Label on engine resources outside the Operation's namespace (Velero's), naming the
 * Operation's namespace: the operation label alone is ambiguous there.
 * @public
 */
export const operationNamespaceLabel = 'ops.vworkspace.io/operation-namespace';

const managedBy = { 'app.kubernetes.io/managed-by': fieldManager };

/**
 * Options of every write the operator makes: one field manager for creates, updates, status
 * writes and patches alike, so that `managedFields` names one owner for everything the operator
 * wrote (without it, the API server names creates after the client's user agent).
 * @public
 */
export const operatorWrite = { fieldManager } as const;

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * A DNS-1123 label of at most `max` characters made from `parts`: the parts joined by `-` when
 * they fit, else a truncated prefix plus a hash of the whole, so that two long names differing
 * only at the end still get different results. Same input, same name: a restarted operator
 * finds what it created.
 * @public
 */
export function deterministicName(parts: string[], max = 63): string {
  const whole = parts.join('-');
  if (whole.length <= max) return whole;
  const digest = hash(whole, 10);
  const prefix = whole.slice(0, max - digest.length - 1).replace(/[-.]+$/, '');
  return `${prefix}-${digest}`;
}

/** The value of the operation label: the Operation's name, shortened the same way when longer than a label value may be. @public */
export function operationLabelValue(operationName: string): string {
  return deterministicName([operationName]);
}

/** Labels of every engine resource made for the Operation of `ctx`. @public */
export function engineLabels(ctx: EngineContext, crossNamespace = false): Record<string, string> {
  const labels: Record<string, string> = {
    ...managedBy,
    [operationLabel]: operationLabelValue(ctx.operation.metadata.name),
  };
  if (crossNamespace) labels[operationNamespaceLabel] = ctx.operation.metadata.namespace;
  return labels;
}

/** A controller ownerReference to the Operation: for engine resources that are not data. @public */
export function operationOwnerReference(ctx: EngineContext): OwnerReference & Record<string, unknown> {
  return {
    apiVersion: ctx.operation.apiVersion,
    kind: 'Operation',
    name: ctx.operation.metadata.name,
    uid: ctx.operation.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `obj` carries the labels `ctx`'s Operation puts on what it creates. */
function madeBy(obj: KubeObject, ctx: EngineContext, crossNamespace: boolean): boolean {
  const labels = obj.metadata?.labels ?? {};
  if (labels[operationLabel] !== operationLabelValue(ctx.operation.metadata.name)) return false;
  return !crossNamespace || labels[operationNamespaceLabel] === ctx.operation.metadata.namespace;
}

/**
 * Creates `obj`, or adopts the object of that name when an earlier run of the operator already
 * created it (create answered AlreadyExists), see {@link adopt}.
 * @public
 */
export async function createOrAdopt(
  client: KubeClient,
  kind: ResourceKind,
  obj: KubeObject,
  ctx: EngineContext,
  crossNamespace = false,
): Promise<KubeObject> {
  try {
    return await client.create(kind, obj, operatorWrite);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const name = obj.metadata!.name!;
  const namespace = obj.metadata!.namespace;
  return adopt(await client.get(kind, name, namespace), kind, ctx, crossNamespace);
}

/**
 * Returns `existing` if this Operation made it; an object of the same name that it did not make
 * is a failure, never adopted: it may be someone's data.
 * @public
 */
export function adopt(existing: KubeObject, kind: ResourceKind, ctx: EngineContext, crossNamespace = false): KubeObject {
  if (!madeBy(existing, ctx, crossNamespace)) {
    throw new EngineFailure(
      'NameTaken',
      `${kind.kind} ${existing.metadata?.namespace}/${existing.metadata?.name} exists and was not created by this operation`,
    );
  }
  return existing;
}

/** GET that answers undefined for 404. @public */
export async function getOrUndefined(
  client: KubeClient,
  kind: ResourceKind,
  name: string,
  namespace?: string,
): Promise<KubeObject | undefined> {
  try {
    return await client.get(kind, name, namespace);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** DELETE that treats 404 as done. @public */
export async function deleteIfExists(
  client: KubeClient,
  kind: ResourceKind,
  name: string,
  namespace: string | undefined,
  propagationPolicy: 'Foreground' | 'Background' = 'Background',
): Promise<boolean> {
  try {
    await client.delete(kind, name, namespace, { propagationPolicy });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
