export { applyObject } from './applyObject';
export type { ApplyOptions, ApplyResult } from './applyObject';
export { trackUpdate } from './trackUpdate';
export type { TrackUpdateOptions } from './trackUpdate';
export { conflictStatus } from './conflictStatus';
export { FieldSet } from './FieldSet';
export {
  fieldSetToFieldsV1,
  fieldsV1ToFieldSet,
  pathToString,
} from './fieldsV1';
export type { FieldsV1 } from './fieldsV1';
export { FieldPathError } from './schemaShape';
export { objectMetaSchema } from './rootSchema';
export type {
  ApplyConflict,
  FieldTrackingOptions,
  KubeObject,
  ManagedFieldsEntry,
} from './types';
