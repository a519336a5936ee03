import { StructuralSchema } from '../schema';
import type { JSONSchemaProps } from '../schema/types';
import type { KubeObject } from '../types';
import { now } from './clock';
import type { StatusCause } from './StatusError';

/** Accepts a CRD at once: kube does so a few milliseconds later, with the same conditions. */
export function prepareCrd(crd: KubeObject, old?: KubeObject): KubeObject {
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

/** What the CRD registry refuses: names, scope, one storage version, structural schemas. */
export function validateCrd(crd: KubeObject): StatusCause[] {
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
