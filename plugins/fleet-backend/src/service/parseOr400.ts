import { InputError } from '@backstage/errors';
import { issuesOf } from '@vworkspace/backstage-plugin-fleet-common';
import type { z } from 'zod';

/** A 400 whose message names every failing field: `Invalid <what>: path: message; ...`. */
export function invalidInput(what: string, issues: ReadonlyArray<{ path: string; message: string }>): InputError {
  return new InputError(`Invalid ${what}: ${issues.map(i => `${i.path}: ${i.message}`).join('; ')}`);
}

/** Parses `value` or answers 400 naming every failing field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(what, issuesOf(parsed.error));
  return parsed.data;
}
