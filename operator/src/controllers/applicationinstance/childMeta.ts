import { createHash } from 'node:crypto';
import {
  applicationInstanceApiVersion,
  fieldManager,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject, OwnerReference } from '@vworkspace/kube-runtime';

/** `app.kubernetes.io/managed-by` value on everything this operator applies. @public */
export const managedByValue = fieldManager;

/** Label naming the ApplicationInstance a child belongs to. @public */
export const instanceLabel = 'apps.vworkspace.io/instance';

/**
 * Label naming the namespace of the ApplicationInstance, on children that live elsewhere
 * (an Argo CD Application sits in the Argo CD namespace and cannot carry an ownerReference).
 * @public
 */
export const instanceNamespaceLabel = 'apps.vworkspace.io/instance-namespace';

/**
 * Annotation holding a digest of what the operator last applied (everything but the owner
 * references). Server-side apply removes fields we stop sending, and a subset comparison of
 * the live object cannot see such removals: the digest can, so "nothing to write" is exact.
 * @public
 */
export const appliedHashAnnotation = 'apps.vworkspace.io/applied-hash';

/** Finalizer with which an instance waits for its cross-namespace children to go. @public */
export const cleanupFinalizer = 'apps.vworkspace.io/cleanup';

/** The minimal instance identity the builders need. @public */
export interface InstanceRef {
  name: string;
  namespace: string;
  /** Absent when rendering manifests that were never created: then no ownerReference is set. */
  uid?: string;
}

/** Labels on every child of `instance`. @public */
export function childLabels(instance: InstanceRef): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': managedByValue,
    [instanceLabel]: instance.name,
  };
}

/** An ownerReference, shaped to fit both the runtime's and fleet-common's object types. @public */
export type InstanceOwnerReference = OwnerReference & { [field: string]: unknown };

/**
 * The ownerReference to an instance: `controller` for the instance's own children; plain
 * (non-controller) for shared sources, so each user keeps them alive until the last one goes.
 * @public
 */
export function instanceOwnerReference(
  instance: InstanceRef & { uid: string },
  controller: boolean,
): InstanceOwnerReference {
  return {
    apiVersion: applicationInstanceApiVersion,
    kind: 'ApplicationInstance',
    name: instance.name,
    uid: instance.uid,
    ...(controller ? { controller: true, blockOwnerDeletion: true } : {}),
  };
}

function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** JSON with sorted keys, so equal objects always hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short digest of a value (hex). @public */
export function digest(value: unknown, length = 16): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, length);
}

/**
 * Stamps {@link appliedHashAnnotation} on a desired object: the digest of everything but its
 * ownerReferences (which change as users of a shared source come and go).
 * @public
 */
export function withAppliedHash<T extends KubeObject>(obj: T): T {
  const { ownerReferences: _owners, ...meta } = obj.metadata ?? {};
  const hash = digest({ ...obj, metadata: meta });
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata?.annotations, [appliedHashAnnotation]: hash },
    },
  };
}
