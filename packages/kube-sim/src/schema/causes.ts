import { FieldPath } from './fieldPath';

/** metav1.CauseType strings as kube-apiserver puts them in a 422 Status's `details.causes`. */
export type CauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueUnknown';

/** One entry of a Status's `details.causes`. */
export interface FieldCause {
  reason: CauseReason;
  field: string;
  message: string;
}

/**
 * How kube's field.Error prints a bad value: strings quoted, scalars bare, null as `"null"`,
 * composite values as JSON.
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '"null"';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return JSON.stringify(value);
  }
}

function withDetail(head: string, detail: string | undefined): string {
  return detail ? `${head}: ${detail}` : head;
}

// One constructor per field.ErrorType, each producing the same text as field.Error.ErrorBody().

export function required(path: FieldPath, detail?: string): FieldCause {
  return {
    reason: 'FieldValueRequired',
    field: path.toString(),
    message: withDetail('Required value', detail),
  };
}

export function invalid(
  path: FieldPath,
  value: unknown,
  detail: string,
): FieldCause {
  return {
    reason: 'FieldValueInvalid',
    field: path.toString(),
    message: withDetail(`Invalid value: ${formatValue(value)}`, detail),
  };
}

export function typeInvalid(
  path: FieldPath,
  value: unknown,
  detail: string,
): FieldCause {
  return {
    reason: 'FieldValueTypeInvalid',
    field: path.toString(),
    message: withDetail(`Invalid value: ${formatValue(value)}`, detail),
  };
}

export function notSupported(
  path: FieldPath,
  value: unknown,
  supported: readonly unknown[],
): FieldCause {
  const quoted = supported.map(v =>
    JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v)),
  );
  return {
    reason: 'FieldValueNotSupported',
    field: path.toString(),
    message: withDetail(
      `Unsupported value: ${formatValue(value)}`,
      quoted.length ? `supported values: ${quoted.join(', ')}` : undefined,
    ),
  };
}

export function tooLong(path: FieldPath, maxLength: number): FieldCause {
  return {
    reason: 'FieldValueTooLong',
    field: path.toString(),
    message: `Too long: may not be more than ${maxLength} bytes`,
  };
}

export function tooMany(
  path: FieldPath,
  actual: number,
  max: number,
): FieldCause {
  return {
    reason: 'FieldValueTooMany',
    field: path.toString(),
    message: `Too many: ${actual}: must have at most ${max} items`,
  };
}

export function duplicate(path: FieldPath, value: unknown): FieldCause {
  return {
    reason: 'FieldValueDuplicate',
    field: path.toString(),
    message: `Duplicate value: ${formatValue(value)}`,
  };
}

export function forbidden(path: FieldPath, detail: string): FieldCause {
  return {
    reason: 'FieldValueForbidden',
    field: path.toString(),
    message: withDetail('Forbidden', detail),
  };
}
