import { z } from 'zod';

/** One failing field of a validation, with a dotted path such as `spec.chart.version`. @public */
export interface ResourceIssue {
  path: string;
  message: string;
}

/** Formats a zod path the way `kubectl explain` names fields: `a.b[0].c`. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
    } else {
      const name = String(key);
      out += out ? `.${name}` : name;
    }
  }
  return out || '(root)';
}

/**
 * The failing fields of a zod error. Unknown keys are reported one path each, so that a typo
 * such as `spec.chart.verison` names itself.
 * @public
 */
export function issuesOf(
  error: z.ZodError | ReadonlyArray<z.core.$ZodIssue>,
): ResourceIssue[] {
  const issues = error instanceof z.ZodError ? error.issues : error;
  const out: ResourceIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: 'unknown field',
        });
      }
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

/**
 * Thrown when an object does not match its schema. The message names every failing field.
 * @public
 */
export class ResourceValidationError extends Error {
  readonly issues: ResourceIssue[];
  readonly where: string;

  constructor(
    where: string,
    issues: ResourceIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `${where} is invalid: ${issues
        .map(i => `${i.path}: ${i.message}`)
        .join('; ')}`,
      options,
    );
    this.name = 'ResourceValidationError';
    this.where = where;
    this.issues = issues;
  }
}

/**
 * Parses `value` with `schema`, or throws a {@link ResourceValidationError} that names each
 * failing field. `where` says what was parsed, e.g. `Operation team-a/backup-1`.
 * @public
 */
export function parseResource<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ResourceValidationError(where, issuesOf(result.error), {
      cause: result.error,
    });
  }
  return result.data;
}
