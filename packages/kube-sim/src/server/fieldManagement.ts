import { applyObject, conflictStatus, trackUpdate, FieldPathError } from '../apply';
import type { KubeObject as ApplyObject } from '../apply';
import type { JSONSchemaProps } from '../schema/types';
import type { KubeObject } from '../types';
import { StatusError, internalError } from './StatusError';

interface Common {
  live: KubeObject | undefined;
  manager: string;
  subresource?: 'status';
  schema: JSONSchemaProps | undefined;
  now: string;
  /** Whether the resource has a status subresource. */
  status: boolean;
}

// The apply module types managedFields entries strictly; stored objects carry what clients sent.
const toApply = (o: KubeObject | undefined) => o as unknown as ApplyObject | undefined;
const fromApply = (o: ApplyObject) => o as unknown as KubeObject;

function failedToKey(e: unknown): never {
  if (e instanceof FieldPathError) {
    throw internalError(`failed to create typed patch object: ${(e as Error).message}`);
  }
  throw e;
}

/** Records a create, update or non-apply patch in managedFields (operation Update). */
export function recordUpdate(opts: Common & { updated: KubeObject }): KubeObject {
  try {
    return fromApply(
      trackUpdate({
        live: toApply(opts.live),
        updated: toApply(opts.updated)!,
        manager: opts.manager,
        subresource: opts.subresource,
        schema: opts.schema,
        now: opts.now,
        statusSubresource: opts.status,
      }),
    );
  } catch (e) {
    return failedToKey(e);
  }
}

/** Server-side apply; a conflict becomes kube's 409 Status with FieldManagerConflict causes. */
export function applyPatch(
  opts: Common & { applied: KubeObject; force: boolean },
): { ok: true; object: KubeObject } | { ok: false; error: StatusError } {
  let result;
  try {
    result = applyObject({
      live: toApply(opts.live),
      applied: toApply(opts.applied)!,
      manager: opts.manager,
      force: opts.force,
      subresource: opts.subresource,
      schema: opts.schema,
      now: opts.now,
      statusSubresource: opts.status,
    });
  } catch (e) {
    return failedToKey(e);
  }
  if (result.ok) return { ok: true, object: fromApply(result.object) };
  const status = conflictStatus(result.conflicts);
  return { ok: false, error: new StatusError(409, 'Conflict', status.message, { causes: status.details.causes }) };
}
