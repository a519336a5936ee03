import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { AppOperationTemplate } from '@vworkspace/backstage-plugin-fleet-common';

/** One failing parameter, with its path under `parameters`. */
export interface ParameterIssue {
  path: string;
  message: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
addFormats(ajv);

/** Compiled validators, per template (templates live as long as the catalog). */
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(template: AppOperationTemplate): ValidateFunction {
  let validate = compiled.get(template.parameters);
  if (!validate) {
    validate = ajv.compile(template.parameters);
    compiled.set(template.parameters, validate);
  }
  return validate;
}

/** `/a/0/b` → `parameters.a[0].b`, with JSON pointer escapes undone. */
function pathOf(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = 'parameters';
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return out;
}

function describe(error: ErrorObject): ParameterIssue {
  switch (error.keyword) {
    case 'required':
      return { path: pathOf(error.instancePath, String(error.params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: pathOf(error.instancePath, String(error.params.additionalProperty)), message: 'unknown parameter' };
    case 'enum':
      return {
        path: pathOf(error.instancePath),
        message: `must be one of ${(error.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: pathOf(error.instancePath), message: error.message ?? 'is invalid' };
  }
}

/** `${instance.name}` and `${instance.namespace}` in string values (template defaults use them). */
function substitute(value: unknown, instance: { name: string; namespace: string }): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{instance\.(name|namespace)\}/g, (_m, field: 'name' | 'namespace') => instance[field]);
  }
  if (Array.isArray(value)) return value.map(v => substitute(v, instance));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, instance)]));
  }
  return value;
}

/**
 * Checks `parameters` against the template's JSON Schema and fills in its defaults. Returns
 * the parameters to send, or the failing fields.
 */
export function validateParameters(
  template: AppOperationTemplate,
  parameters: Record<string, unknown>,
  instance: { name: string; namespace: string },
): { parameters: Record<string, unknown> } | { issues: ParameterIssue[] } {
  const validate = validatorOf(template);
  const copy = structuredClone(parameters);
  if (!validate(copy)) {
    return { issues: (validate.errors ?? []).map(describe) };
  }
  return { parameters: substitute(copy, instance) as Record<string, unknown> };
}
