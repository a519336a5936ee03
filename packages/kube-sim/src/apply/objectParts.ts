import type { KubeObject, ManagedFieldsEntry } from './types';

// Set by the apiserver, never taken from a client's applied configuration.
const systemMetadata = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** The object without `metadata.managedFields`, which is bookkeeping rather than content. */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _ignored, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export function withManagedFields(
  obj: KubeObject,
  entries: ManagedFieldsEntry[],
): KubeObject {
  const { managedFields: _ignored, ...metadata } = obj.metadata ?? {};
  return {
    ...obj,
    metadata:
      entries.length > 0 ? { ...metadata, managedFields: entries } : metadata,
  };
}

/** An applied configuration without the metadata the server owns. */
export function withoutSystemMetadata(obj: KubeObject): KubeObject {
  const metadata: KubeObject['metadata'] = { ...obj.metadata };
  for (const k of systemMetadata) delete metadata[k];
  return { ...obj, metadata };
}

/**
 * What of a write survives the apiserver's reset strategy when the resource has a status
 * subresource: the main resource keeps the stored status, the status subresource keeps
 * everything but status.
 */
export function resetForSubresource(
  written: KubeObject,
  live: KubeObject | undefined,
  subresource: 'status' | undefined,
): KubeObject {
  if (subresource === 'status') {
    if (!live) return written;
    const out: KubeObject = { ...live };
    if (written.status === undefined) delete out.status;
    else out.status = written.status;
    return out;
  }
  const out: KubeObject = { ...written };
  if (live?.status === undefined) delete out.status;
  else out.status = live.status;
  return out;
}
