import { getDefaultFormState, type RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import type { AppOperationTemplate } from '@vworkspace/backstage-plugin-fleet-common';

/**
 * The parameters an operation template's JSON Schema gives by default, as its generated form
 * would start with them; actions that ask nothing (Backup now) send exactly these.
 * @public
 */
export function templateDefaults(
  template: AppOperationTemplate,
): Record<string, unknown> {
  const defaults = getDefaultFormState(
    validator,
    template.parameters as RJSFSchema,
    {},
  );
  return defaults && typeof defaults === 'object' && !Array.isArray(defaults)
    ? (defaults as Record<string, unknown>)
    : {};
}
