import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import * as common from '@vworkspace/backstage-plugin-fleet-common';
import {
  applicationInstanceSpecSchema,
  capabilityAnnotationFor,
  operationEngines,
  operationParametersSchema,
  operationSpecSchema,
  operationTypes,
  OperationEngine,
  OperationType,
  isEngineAllowed,
} from '@vworkspace/backstage-plugin-fleet-common';
import { engines } from '../engines';

/**
 * Generates the reference pages of `docs/reference/` from the zod schemas of fleet-common
 * (the same schemas the webhook and the controllers validate with), so that what the pages
 * say a field is, is what the operator accepts. `--write` writes them; a test fails while the
 * committed pages differ.
 */

/** The repository root: two levels above the operator package. */
const repositoryRoot = resolve(dirname(require.resolve('@vworkspace/fleet-operator/package.json')), '..');

/** Where the generated pages go. @public */
export const referenceDirectory = resolve(repositoryRoot, 'docs', 'reference');

const header = (title: string) =>
  [
    `<!-- Generated from the zod schemas of @vworkspace/backstage-plugin-fleet-common by operator/src/docs/generateDocs.ts. Do not edit: run \`npm run generate:docs\`. -->`,
    '',
    `# ${title}`,
    '',
  ].join('\n');

/** What an engine is for, in one line; its parameters speak for themselves below. */
const engineSummaries: Record<OperationEngine, string> = {
  job: 'A one-shot Kubernetes Job (batch/v1) from an image, as a namespace-scoped service account.',
  workflow: 'An Argo Workflow made from a WorkflowTemplate, with parameters.',
  velero: 'A Velero Backup or Restore (velero.io/v1) in the Velero namespace.',
  volsync: 'A CSI VolumeSnapshot of a PersistentVolumeClaim, or a manual sync of a VolSync ReplicationSource.',
  helm: "A new chart version (and values) on the ApplicationInstance; its HelmRelease follows and the chart's own hooks run.",
  helmHookJob: 'A Job built from a hook the chart declares, read from the newest Helm release Secret (flux instances only).',
};

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
};

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Formats people know by name, rather than by their regular expression. */
function knownPatterns(): Map<string, string> {
  const byName: Array<[unknown, string]> = [
    [common.dns1123LabelPattern, 'DNS-1123 label (a-z, 0-9, "-")'],
    [common.dns1123SubdomainPattern, 'DNS-1123 subdomain (a-z, 0-9, "-", ".")'],
    [common.semverPattern, 'semantic version, e.g. 6.2.0'],
    [common.goDurationPattern, 'duration, e.g. 10m or 1h30m'],
    // looked up by name: patterns another module may add or drop
    [(common as Record<string, unknown>).imageReferencePattern, 'container image reference, e.g. registry.example.com/tool:1.2'],
    [(common as Record<string, unknown>).envVarNamePattern, 'environment variable name'],
  ];
  return new Map(byName.filter((e): e is [RegExp, string] => e[0] instanceof RegExp).map(([re, name]) => [re.source, name]));
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

/** A field's type as a reader says it: `string, DNS-1123 label, at most 63 characters`. */
function describeType(node: JsonSchema, patterns: Map<string, string>): string {
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return node.enum.map(code).join(' | ');
  const variants = node.oneOf ?? node.anyOf;
  if (variants) return variants.map(v => describeType(v, patterns)).join(' or ');
  const type = Array.isArray(node.type) ? node.type.join(' or ') : node.type;
  switch (type) {
    case 'string': {
      const parts = ['string'];
      if (node.pattern) parts.push(patterns.get(node.pattern) ?? `matching ${code(node.pattern)}`);
      if (node.format) parts.push(node.format);
      if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
      return parts.join(', ');
    }
    case 'integer':
    case 'number': {
      const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
      if (node.minimum !== undefined && max !== undefined) return `${type}, ${node.minimum} to ${max}`;
      if (node.minimum !== undefined) return `${type}, at least ${node.minimum}`;
      return type;
    }
    case 'array': {
      const item = node.items ? describeType(node.items, patterns) : 'anything';
      return `list of ${node.items?.type === 'object' && node.items.properties ? 'objects' : item}${node.minItems ? ` (at least ${node.minItems})` : ''}`;
    }
    case 'object':
      if (node['x-kubernetes-preserve-unknown-fields']) return 'object, free-form';
      if (node.properties) return 'object';
      if (node.additionalProperties && typeof node.additionalProperties === 'object') {
        return `map of ${node.propertyNames ? describeType(node.propertyNames, patterns) : 'string'} to ${describeType(node.additionalProperties, patterns)}`;
      }
      return 'object';
    default:
      return type ?? 'any';
  }
}

/** Kubernetes types every reader knows: named, not unfolded field by field. */
const knownObjects: ReadonlyArray<{ matches: (node: JsonSchema) => boolean; name: string }> = [
  {
    matches: node => !!node.properties?.matchLabels && !!node.properties?.matchExpressions,
    name: 'metav1.LabelSelector (`matchLabels`, `matchExpressions`)',
  },
];

interface Row {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  meaning?: string;
}

/** The rows of an object's fields, nested fields as `parent.child` and `list[].child`. */
function rowsOf(node: JsonSchema, patterns: Map<string, string>, prefix = ''): Row[] {
  const rows: Row[] = [];
  for (const [name, field] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${name}`;
    const known = knownObjects.find(k => k.matches(field));
    rows.push({
      name: path,
      type: known ? known.name : describeType(field, patterns),
      required: node.required?.includes(name) ?? false,
      default: field.default,
      meaning: field.description,
    });
    if (known) continue;
    if (field.properties && !field['x-kubernetes-preserve-unknown-fields']) rows.push(...rowsOf(field, patterns, `${path}.`));
    if (field.items?.properties) rows.push(...rowsOf(field.items, patterns, `${path}[].`));
  }
  return rows;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(rows: Row[]): string {
  const lines = ['| field | type | required | default | meaning |', '| --- | --- | --- | --- | --- |'];
  for (const row of rows) {
    const defaultText = row.default === undefined || (typeof row.default === 'object' && !Object.keys(row.default as object).length) ? '' : code(row.default);
    lines.push(`| ${code(row.name)} | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${defaultText} | ${cell(row.meaning ?? '')} |`);
  }
  return lines.join('\n');
}

/**
 * Top-level fields without a meaning: the page promises one for each. An object whose own
 * fields follow it in the table is explained by them.
 */
function undescribed(rows: Row[], where: string): string[] {
  const explainedByFields = (r: Row) => r.type === 'object' && rows.some(o => o.name.startsWith(`${r.name}.`));
  return rows.filter(r => !r.name.includes('.') && !r.meaning && !explainedByFields(r)).map(r => `${where}: ${r.name}`);
}

/** The operation types an engine runs: those the Operation schema allows it and it supports. */
export function typesOf(engine: OperationEngine): OperationType[] {
  return operationTypes.filter(type => isEngineAllowed(type, engine) && engines[engine].supports(type));
}

/**
 * The page of every engine's `spec.parameters`: name, type, whether required, default and
 * meaning of each, from the schema the operator validates them with. Throws naming any
 * parameter whose schema gives no meaning.
 * @public
 */
export function engineParametersPage(): string {
  const patterns = knownPatterns();
  const missing: string[] = [];
  const sections: string[] = [];
  for (const engine of operationEngines) {
    const types = typesOf(engine);
    // Velero validates Backup and Restore parameters apart; every other engine has one schema.
    const schemas = engine === 'velero' ? types.map(type => ({ title: `${type}`, type })) : [{ title: '', type: types[0] }];
    const parts = [
      `## ${engine}`,
      '',
      engineSummaries[engine],
      '',
      `Runs ${types.map(t => `${t} (annotation ${code(capabilityAnnotationFor(t))}: ${code(engine)})`).join(', ')}.`,
    ];
    for (const { title, type } of schemas) {
      const json = jsonSchemaOf(operationParametersSchema(type, engine) as z.ZodType);
      if (title) parts.push('', `### ${engine}, ${title}`);
      const variants = json.oneOf ?? json.anyOf;
      for (const variant of variants ?? [json]) {
        const rows = rowsOf(variant, patterns);
        missing.push(...undescribed(rows, `${engine}${title ? ` ${title}` : ''}`));
        const discriminant = Object.entries(variant.properties ?? {}).find(([, f]) => f.const !== undefined);
        if (variants && discriminant) parts.push('', `With ${code(discriminant[0])}: ${code(discriminant[1].const)}:`);
        parts.push('', table(rows));
      }
    }
    sections.push(parts.join('\n'));
  }
  if (missing.length) {
    throw new Error(`parameters without a meaning (add .describe() to their schema in fleet-common): ${missing.join(', ')}`);
  }
  return [
    header('Engine parameters'),
    "`spec.parameters` of an Operation, for each engine. The operator's admission webhook and the Operation",
    'controller validate them with these schemas: an unknown parameter is refused, not ignored.',
    'Examples of every operation type on every engine are in [../examples/operations](../examples/operations).',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}

/**
 * The page of the two resources' `spec` fields (ApplicationInstance and Operation).
 * @public
 */
export function resourcesPage(): string {
  const patterns = knownPatterns();
  const instanceRows = rowsOf(jsonSchemaOf(applicationInstanceSpecSchema as z.ZodType), patterns);
  const operationRows = rowsOf(jsonSchemaOf(operationSpecSchema as z.ZodType), patterns);
  const missing = [...undescribed(instanceRows, 'ApplicationInstance.spec'), ...undescribed(operationRows, 'Operation.spec')];
  if (missing.length) throw new Error(`fields without a meaning (add .describe() to their schema in fleet-common): ${missing.join(', ')}`);
  return [
    header('ApplicationInstance and Operation fields'),
    '## ApplicationInstance `spec` (apps.vworkspace.io/v1alpha1)',
    '',
    table(instanceRows),
    '',
    '## Operation `spec` (ops.vworkspace.io/v1alpha1)',
    '',
    'The spec cannot change after creation, except `cancel` (towards true). `parameters` are per engine:',
    'see [engine-parameters.md](engine-parameters.md).',
    '',
    table(operationRows),
    '',
  ].join('\n');
}

/** Every generated page, by its path under `docs/reference/`. @public */
export function generatedPages(): Record<string, string> {
  return {
    'engine-parameters.md': engineParametersPage(),
    'resources.md': resourcesPage(),
  };
}

/** The generated pages whose committed copy under `dir` differs (or is missing). @public */
export function staleDocPages(dir: string = referenceDirectory): string[] {
  return Object.entries(generatedPages())
    .filter(([file, text]) => {
      const path = resolve(dir, file);
      return !existsSync(path) || readFileSync(path, 'utf8') !== text;
    })
    .map(([file]) => file);
}

/** Writes every page under `dir`. @public */
export function writeDocPages(dir: string = referenceDirectory): string[] {
  mkdirSync(dir, { recursive: true });
  const pages = generatedPages();
  for (const [file, text] of Object.entries(pages)) writeFileSync(resolve(dir, file), text);
  return Object.keys(pages);
}

/** `generateDocs.ts --write` writes the pages; without it, exits 1 naming the stale ones. */
function main(args: string[]): void {
  if (args.includes('--write')) {
    const written = writeDocPages();
    process.stdout.write(`wrote ${written.map(f => `docs/reference/${f}`).join(', ')}\n`);
    return;
  }
  const stale = staleDocPages();
  if (stale.length) {
    process.stderr.write(`out of date: ${stale.map(f => `docs/reference/${f}`).join(', ')}; run npm run generate:docs\n`);
    process.exitCode = 1;
  }
}

// Launchers that require() the file (kube-sim's run-ts) leave require.main pointing at
// themselves, so the script path in argv decides too.
if (require.main === module || /generateDocs\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2));
}
