import type { StatusCause } from '../server/StatusError';

/**
 * The `field.Error` constructors of k8s.io/apimachinery/pkg/util/validation/field/errors.go, as
 * the status causes they become: same reason, field path and message body.
 */

/** A bad value already written as Go's `%#v` prints it (a map, a struct). */
export class GoValue {
  constructor(readonly text: string) {}
}

/** Go's `%#v` of a map[string]string, keys sorted as fmt prints them. */
export function goStringMap(map: Record<string, string>): GoValue {
  const entries = Object.keys(map).sort().map(k => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`);
  return new GoValue(`map[string]string{${entries.join(', ')}}`);
}

/** How Go's `ErrorBody` prints a bad value: `%q` for strings, `%v` for numbers and booleans. */
export function showValue(value: unknown): string {
  if (value instanceof GoValue) return value.text;
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Go prints structs with %#v; the JSON form carries the same content.
  return JSON.stringify(value);
}

const withDetail = (body: string, detail: string) => (detail ? `${body}: ${detail}` : body);

export function fieldInvalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: withDetail(`Invalid value: ${showValue(value)}`, detail), field };
}

export function fieldRequired(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

export function fieldForbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

export function fieldDuplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${showValue(value)}`, field };
}

export function fieldNotSupported(field: string, value: unknown, supported: string[]): StatusCause {
  const detail = supported.length ? `supported values: ${supported.map(v => JSON.stringify(v)).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: withDetail(`Unsupported value: ${showValue(value)}`, detail), field };
}

export function fieldTooLong(field: string, maxLength: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${maxLength} bytes`, field };
}

/** `ValidateImmutableField`: the message every "may not change" rule gives. */
export const FIELD_IMMUTABLE = 'field is immutable';

export function fieldImmutable(field: string, value: unknown): StatusCause {
  return fieldInvalid(field, value, FIELD_IMMUTABLE);
}

/** `ValidateNonnegativeField`. */
export function nonNegative(field: string, value: unknown): StatusCause[] {
  return typeof value === 'number' && value < 0 ? [fieldInvalid(field, value, 'must be greater than or equal to 0')] : [];
}
