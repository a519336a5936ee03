import type { FieldCause } from './causes';

/**
 * Thrown by `StructuralSchema.compile` for a schema the apiserver would refuse in a CRD:
 * not structural, or using a construct apiextensions v1 forbids. `causes` carry the field path
 * inside the CRD (e.g. `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`) as in the
 * 422 the apiserver returns for such a CRD.
 */
export class SchemaCompileError extends Error {
  readonly field: string;

  constructor(readonly causes: FieldCause[]) {
    super(causes.map(c => `${c.field}: ${c.message}`).join(', '));
    this.name = 'SchemaCompileError';
    this.field = causes[0]?.field ?? '';
  }
}
