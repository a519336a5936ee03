import type { KubeObject } from '../../types';
import type { PrinterColumn, ResourceVersion } from '../ResourceType';
import { findJsonPath } from './jsonPath';

const NAME_DESCRIPTION = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

/** Whether a request's Accept header asks for a meta.k8s.io Table (as `kubectl get` does). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some(part => /;\s*as=Table/.test(part) && /;\s*g=meta\.k8s\.io/.test(part));
}

/** `duration.HumanDuration` of apimachinery: `45s`, `5m10s`, `3h`, `2d5h`, `400d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(Math.max(ms, 0) / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  if (days < 365 * 8) return `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** `cellForJSONValue` of the CRD table convertor: a cell typed as its column. */
function cell(column: PrinterColumn, object: KubeObject): unknown {
  const value = findJsonPath(object, column.jsonPath)[0];
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'date': {
      const time = Date.parse(String(value));
      return Number.isNaN(time) ? null : humanDuration(Date.now() - time);
    }
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * A list or an object as a meta.k8s.io/v1 Table, as the apiserver answers `kubectl get`: the Name
 * column, then the CRD version's printer columns (or Age), one row per object carrying its
 * PartialObjectMetadata (apiextensions-apiserver/pkg/registry/customresource/tableconvertor).
 */
export function toTable(version: ResourceVersion, objects: KubeObject[], listMeta: Record<string, unknown>): Record<string, unknown> {
  const columns = version.printerColumns?.length ? version.printerColumns : [AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
      ...columns.map(c => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    ],
    rows: objects.map(object => ({
      cells: [object.metadata.name, ...columns.map(c => cell(c, object))],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
    })),
  };
}
