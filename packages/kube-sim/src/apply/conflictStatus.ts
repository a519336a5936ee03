import type { ApplyConflict } from './types';

function describeManager(c: ApplyConflict): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') {
    s += ` using ${c.apiVersion}`;
    if (c.time)
      s += ` at ${new Date(c.time).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  }
  return s;
}

/**
 * The `metav1.Status` kube-apiserver answers an apply conflict with (HTTP 409), message and
 * causes worded like kube's, e.g. `Apply failed with 1 conflict: conflict with "helm" using
 * apps/v1: .spec.replicas`.
 * @public
 */
export function conflictStatus(conflicts: readonly ApplyConflict[]) {
  const causes = conflicts.map(c => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c)}`,
    field: c.field,
  }));
  let detail: string;
  if (conflicts.length === 1) {
    detail = `conflict with ${describeManager(conflicts[0])}: ${
      conflicts[0].field
    }`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const who = describeManager(c);
      byManager.set(who, [...(byManager.get(who) ?? []), c.field]);
    }
    detail = [...byManager.keys()]
      .sort()
      .flatMap(who => [
        `conflicts with ${who}:`,
        ...byManager.get(who)!.map(f => `- ${f}`),
      ])
      .join('\n');
  }
  const n = conflicts.length;
  return {
    kind: 'Status' as const,
    apiVersion: 'v1' as const,
    metadata: {},
    status: 'Failure' as const,
    message: `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${detail}`,
    reason: 'Conflict' as const,
    details: { causes },
    code: 409 as const,
  };
}
