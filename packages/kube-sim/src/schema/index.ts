export { StructuralSchema } from './StructuralSchema';
export type { AdmitResult, CompileOptions } from './StructuralSchema';
export { SchemaCompileError } from './SchemaCompileError';
export type { CauseReason, FieldCause } from './causes';
export { FieldPath, formatFieldPath } from './fieldPath';
export type { JSONSchemaProps } from './types';
