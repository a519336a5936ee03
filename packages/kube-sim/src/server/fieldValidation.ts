import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { JSONSchemaProps } from '../schema/types';
import { badRequest, invalid } from './StatusError';

/** The `fieldValidation` query parameter of create, update and patch. @public */
export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';

const DIRECTIVES: readonly string[] = ['Ignore', 'Strict', 'Warn'];

/** The ObjectMeta fields a client may send; anything else in `metadata` is unknown for every kind. */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const JSON_PATCH_OP_FIELDS = new Set(['op', 'path', 'value', 'from']);

/**
 * Reads `fieldValidation`: absent means Warn, kube-apiserver's default since 1.27 (kubectl sends
 * Strict itself). Anything else is refused the way the options' validation refuses it.
 */
export function parseFieldValidation(value: string | null, optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidationDirective {
  if (value === null || value === '') return 'Warn';
  if (DIRECTIVES.includes(value)) return value as FieldValidationDirective;
  throw invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', [{
    reason: 'FieldValueNotSupported',
    field: 'fieldValidation',
    message: `Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`,
  }]);
}

/**
 * The field validation of one write request. The request body's duplicate fields are known when
 * it is parsed; its unknown fields only once the apiserver has the object it is about to store
 * (after patching, for custom resources what pruning drops), which is when {@link report} runs.
 */
export class FieldValidation {
  /** What the response's `Warning` headers carry (Warn only). */
  warnings: string[] = [];

  constructor(
    readonly directive: FieldValidationDirective,
    private readonly operation: 'create' | 'update' | 'patch' | 'apply',
    private readonly duplicates: string[] = [],
  ) {}

  /**
   * Throws kube's strict decoding error (Strict) or records warnings (Warn). Idempotent: a patch
   * retried after a conflict reports again and replaces what it reported before.
   */
  report(kind: string, version: string, unknown: string[]): void {
    if (this.directive === 'Ignore') return;
    const problems = [...this.duplicates, ...unknown.map(p => `unknown field "${p}"`)];
    if (this.directive === 'Warn') {
      this.warnings = problems;
      return;
    }
    if (problems.length === 0) return;
    if (this.operation === 'apply' && this.duplicates.length > 0) {
      throw badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${this.duplicates.join('\n  ')}`);
    }
    const detail = `strict decoding error: ${problems.join(', ')}`;
    // Create and update decode the body into the kind; a patch's decoding error is reported bare.
    throw badRequest(this.operation === 'patch' || this.operation === 'apply' ? detail : `${kind} in version "${version}" cannot be handled as a ${kind}: ${detail}`);
  }
}

/**
 * Drops the `metadata` fields ObjectMeta does not declare (kube's decoder never keeps them) and
 * returns their paths, e.g. `metadata.foo`.
 */
export function pruneUnknownMetadata(object: { metadata?: unknown }): string[] {
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return [];
  const unknown: string[] = [];
  for (const key of Object.keys(metadata)) {
    if (OBJECT_META_FIELDS.has(key)) continue;
    delete (metadata as Record<string, unknown>)[key];
    unknown.push(`metadata.${key}`);
  }
  return unknown;
}

function isClosed(schema: JSONSchemaProps): boolean {
  return schema.properties !== undefined && schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true;
}

/**
 * Fields of a built-in object that its (deliberately loose) schema declares closed and does not
 * list. Only the schema's say counts: an open node accepts anything, so no valid object of a kind
 * whose real Go type is richer than its schema here is ever refused.
 */
export function closedSchemaUnknownFields(schema: JSONSchemaProps, value: unknown, path = ''): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    if (schema.items && !Array.isArray(schema.items)) {
      value.forEach((item, i) => out.push(...closedSchemaUnknownFields(schema.items as JSONSchemaProps, item, `${path}[${i}]`)));
    }
    return out;
  }
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, child] of Object.entries(value)) {
    if (path === '' && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const childPath = path ? `${path}.${key}` : key;
    const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (sub) out.push(...closedSchemaUnknownFields(sub, child, childPath));
    else if (isClosed(schema)) out.push(childPath);
  }
  return out;
}

/**
 * Paths of the fields a JSON text repeats within one object, in document order, formatted like
 * kube's strict decoder: `spec.paused`, `spec.containers[0].image`. Expects valid JSON.
 */
export function duplicateJsonFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') {
        escaped = true;
        i += 2;
        continue;
      }
      i++;
      if (c === '"') break;
    }
    const raw = text.slice(start, i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  function readValue(path: string): void {
    skipSpace();
    const c = text[i];
    if (c === '{') readObject(path);
    else if (c === '[') readArray(path);
    else if (c === '"') readString();
    else while (i < text.length && !',]} \t\r\n'.includes(text[i])) i++;
  }
  function readObject(path: string): void {
    i++;
    const seen = new Set<string>();
    for (;;) {
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      const key = readString();
      skipSpace();
      i++; // the colon
      const child = path ? `${path}.${key}` : key;
      if (seen.has(key)) out.push(child);
      else seen.add(key);
      readValue(child);
    }
  }
  function readArray(path: string): void {
    i++;
    let index = 0;
    for (;;) {
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      readValue(`${path}[${index++}]`);
    }
  }
  readValue('');
  return out;
}

/** Duplicate fields of a request body as kube reports them for its content type. */
export function duplicateFieldProblems(text: string, kind: 'json' | 'json-patch' | 'yaml'): string[] {
  if (kind === 'yaml') {
    // Most apply bodies are JSON (valid YAML): a JSON scan finds there are no duplicates far
    // faster than building a YAML document, which is only needed to word them as kube does.
    if (text.trimStart().startsWith('{') && duplicateJsonFields(text).length === 0) return [];
    return duplicateYamlKeys(text);
  }
  if (kind === 'json') return duplicateJsonFields(text).map(p => `duplicate field "${p}"`);
  // JSON patch operations are decoded strictly themselves; the values they carry are not.
  const problems: string[] = [];
  const ops: unknown = JSON.parse(text);
  if (Array.isArray(ops)) {
    ops.forEach((op, index) => {
      if (typeof op !== 'object' || op === null) return;
      for (const key of Object.keys(op)) if (!JSON_PATCH_OP_FIELDS.has(key)) problems.push(`json patch unknown field "[${index}].${key}"`);
    });
  }
  for (const path of duplicateJsonFields(text)) {
    if (/^\[\d+\]\.[^.[]+$/.test(path)) problems.push(`json patch duplicate field "${path}"`);
  }
  return problems;
}

/** kube decodes apply bodies with a YAML decoder, which names repeated keys by line. */
function duplicateYamlKeys(text: string): string[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter });
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key) && isScalar(pair.key) && pair.key.range) {
          out.push(`line ${lineCounter.linePos(pair.key.range[0]).line}: key ${JSON.stringify(String(key))} already set in map`);
        }
        seen.add(key);
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item);
    }
  };
  walk(doc.contents);
  return out;
}
