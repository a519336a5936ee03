import type { OperationType } from './vocabulary';

/**
 * Capability annotations on an ApplicationInstance: each names the engine that executes one
 * kind of operation. They come from the app catalog and are never inferred.
 * @public
 */
export const capabilityAnnotations = {
  backup: 'ops.vworkspace.io/backup',
  restore: 'ops.vworkspace.io/restore',
  upgrade: 'ops.vworkspace.io/upgrade',
  quiesce: 'ops.vworkspace.io/quiesce',
  migration: 'ops.vworkspace.io/migration',
  runCommand: 'ops.vworkspace.io/runcommand',
  runbook: 'ops.vworkspace.io/runbook',
} as const;

/** A capability annotation key. @public */
export type CapabilityAnnotation =
  (typeof capabilityAnnotations)[keyof typeof capabilityAnnotations];

/** Per-instance backup freshness policy, a duration such as `24h` (default 24h). @public */
export const backupMaxAgeAnnotation = 'ops.vworkspace.io/backup-max-age';

/** Owner of the catalog entity made from an instance, e.g. `group:team-a`. @public */
export const ownerAnnotation = 'backstage.io/owner';

/** Label on every engine resource, naming the Operation that made it. @public */
export const operationLabel = 'ops.vworkspace.io/operation';

/** Field manager of everything the operator applies with server-side apply. @public */
export const fieldManager = 'vworkspace-operator';

const annotationByType: Readonly<Record<OperationType, CapabilityAnnotation>> =
  {
    Backup: capabilityAnnotations.backup,
    Restore: capabilityAnnotations.restore,
    Upgrade: capabilityAnnotations.upgrade,
    Migration: capabilityAnnotations.migration,
    RunCommand: capabilityAnnotations.runCommand,
    Runbook: capabilityAnnotations.runbook,
  };

/** The annotation that declares which engine runs operations of `type`. @public */
export function capabilityAnnotationFor(
  type: OperationType,
): CapabilityAnnotation {
  return annotationByType[type];
}
