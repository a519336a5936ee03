import type { CelInput } from '@bufbuild/cel';
import { deepEqual } from '../../server/patches';
import type { CauseReason, FieldCause } from '../causes';
import { formatValue } from '../causes';
import { FieldPath } from '../fieldPath';
import { isPlainObject } from '../jsonValue';
import type { SchemaNode } from '../SchemaNode';
import type { JSONSchemaProps } from '../types';
import { compileExpression } from './celEnvironment';
import { toCel } from './celValue';

type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number];

/** Whether a rule compares with the old value: it runs on updates only, where an old value correlates. */
function isTransitionRule(rule: Rule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

/** `ruleErrorString`: the message when given, else the rule. */
const ruleText = (rule: Rule) => (rule.message ? rule.message.trim() : rule.rule.trim());

/** `ruleMessageOrDefault` of apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go. */
const ruleMessage = (rule: Rule) => (rule.message ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`);

/** A rule's `fieldPath` (`.spec.x`, `['a.b']`, `[0]`) appended to where the rule is declared. */
function withRuleFieldPath(path: FieldPath, fieldPath: string | undefined): FieldPath {
  if (!fieldPath) return path;
  let out = path;
  const segment = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/g;
  for (const m of fieldPath.matchAll(segment)) {
    if (m[1] !== undefined) out = out.child(m[1]);
    else if (m[2] !== undefined) out = out.child(m[2]);
    else out = out.index(Number(m[3]));
  }
  return out;
}

/** `fieldErrorForReason`: the rule's `reason` picks the kind of cause; the bad value is the schema type. */
function causeFor(path: FieldPath, type: string, detail: string, reason: Rule['reason']): FieldCause {
  const field = path.toString();
  switch (reason as CauseReason | undefined) {
    case 'FieldValueForbidden':
      return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
    case 'FieldValueRequired':
      return { reason: 'FieldValueRequired', field, message: `Required value: ${detail}` };
    case 'FieldValueDuplicate':
      return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatValue(type)}` };
    default:
      return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${formatValue(type)}: ${detail}` };
  }
}

function typeOf(node: SchemaNode, value: unknown): string {
  if (node.schema.type) return node.schema.type;
  if (Array.isArray(value)) return 'array';
  return isPlainObject(value) ? 'object' : typeof value;
}

function evaluateRules(node: SchemaNode, value: unknown, old: unknown, path: FieldPath, out: FieldCause[]): void {
  const rules = node.schema['x-kubernetes-validations'];
  if (!rules?.length) return;
  // Validation ratcheting (CRDValidationRatcheting, on since 1.30): an unchanged value keeps passing.
  const unchanged = old !== undefined && deepEqual(value, old);
  const type = typeOf(node, value);
  let self: CelInput | undefined;
  let oldSelf: CelInput | undefined;
  for (const rule of rules) {
    const transition = isTransitionRule(rule);
    if (transition ? old === undefined : unchanged) continue;
    self ??= toCel(value, node);
    const bindings: Record<string, CelInput> = { self };
    if (transition) bindings.oldSelf = oldSelf ??= toCel(old, node);
    let result: unknown;
    try {
      result = compileExpression(rule.rule)(bindings);
    } catch (error) {
      const message = (error as Error).message;
      const detail = message.startsWith('found no matching overload')
        ? `'${message}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(rule)}`
        : `${message} evaluating rule: ${ruleText(rule)}`;
      out.push(causeFor(path, type, detail, undefined));
      continue;
    }
    if (result === true) continue;
    let detail = ruleMessage(rule);
    if (rule.messageExpression) {
      try {
        const message = compileExpression(rule.messageExpression)(bindings);
        if (typeof message === 'string' && message.trim() !== '' && !message.includes('\n')) detail = message;
      } catch {
        // kube logs a failed messageExpression and falls back to the message.
      }
    }
    out.push(causeFor(withRuleFieldPath(path, rule.fieldPath), type, detail, rule.reason));
  }
}

/** The old element a new list element is compared with: by key for map lists, by value for sets, none for atomic lists. */
function correlate(node: SchemaNode, item: unknown, old: unknown): unknown {
  if (!Array.isArray(old)) return undefined;
  if (node.listType === 'map' && node.listMapKeys && isPlainObject(item)) {
    const keys = node.listMapKeys;
    return old.find(o => isPlainObject(o) && keys.every(k => deepEqual(o[k], item[k])));
  }
  if (node.listType === 'set') return old.find(o => deepEqual(o, item));
  return undefined;
}

function walk(node: SchemaNode, value: unknown, old: unknown, path: FieldPath, out: FieldCause[]): void {
  if (value === null || value === undefined || !node.rulesBelow) return;
  evaluateRules(node, value, old, path, out);
  if (isPlainObject(value)) {
    const before = isPlainObject(old) ? old : undefined;
    for (const [key, item] of Object.entries(value)) {
      const property = node.properties?.get(key);
      if (property) walk(property, item, before?.[key], path.child(key), out);
      else if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, item, before?.[key], path.key(key), out);
    }
  } else if (Array.isArray(value) && node.items) {
    value.forEach((item, i) => walk(node.items!, item, correlate(node, item, old), path.index(i), out));
  }
}

/**
 * Evaluates the `x-kubernetes-validations` rules of a custom resource as
 * apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go does: each rule on a value that
 * is present, `self` bound to it; transition rules (`oldSelf`) only on update, where the old
 * value correlates (same property, same map-list key or set element); unchanged values ratchet.
 * Failures become causes with the rule's message, messageExpression, fieldPath and reason.
 */
export function validateRules(root: SchemaNode, object: unknown, old: unknown): FieldCause[] {
  const out: FieldCause[] = [];
  walk(root, object, old, FieldPath.root, out);
  return out;
}

/** Every rule of a schema, for compile checks. */
export function collectRules(schema: JSONSchemaProps | undefined, out: Rule[] = []): Rule[] {
  if (!schema) return out;
  out.push(...(schema['x-kubernetes-validations'] ?? []));
  for (const child of Object.values(schema.properties ?? {})) collectRules(child, out);
  if (typeof schema.additionalProperties === 'object') collectRules(schema.additionalProperties, out);
  if (schema.items && !Array.isArray(schema.items)) collectRules(schema.items as JSONSchemaProps, out);
  return out;
}
