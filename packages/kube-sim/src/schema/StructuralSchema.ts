import type { FieldCause } from './causes';
import { compileSchema } from './compileSchema';
import { applyDefaultsNode } from './defaults';
import { FieldPath } from './fieldPath';
import { pruneNode } from './prune';
import type { SchemaNode } from './SchemaNode';
import type { JSONSchemaProps } from './types';
import { validateNode } from './validate';
import { validateRules } from './cel/validateRules';

/** Options of {@link StructuralSchema.compile}. */
export interface CompileOptions {
  /**
   * Prefix of the field paths in SchemaCompileError causes.
   * Default `openAPIV3Schema`; a CRD registrar passes `spec.versions[0].schema.openAPIV3Schema`.
   */
  fieldPath?: string;
}

/** What the apiserver did to an object it admitted: unknown fields dropped, then causes found. */
export interface AdmitResult {
  /** Paths of the unknown fields removed, e.g. `spec.foo.bar`. */
  pruned: string[];
  /** Empty when the object is valid. */
  causes: FieldCause[];
}

const compiled = new WeakMap<JSONSchemaProps, StructuralSchema>();

/**
 * A CRD version's `openAPIV3Schema`, checked to be structural and prepared once, then used the
 * way kube-apiserver uses it for apiextensions.k8s.io/v1 custom resources:
 *
 * - create/update: {@link StructuralSchema.admit}, i.e. prune → applyDefaults → validate;
 * - read from storage: prune and applyDefaults again (schema defaults added later show up on read).
 *
 * The object passed is a whole custom resource: at its root `apiVersion`, `kind` and `metadata`
 * are left to the server (only `metadata` being an object is checked here).
 * `x-kubernetes-validations` (CEL) rules are evaluated by {@link StructuralSchema.validateRules}.
 *
 * @public
 */
export class StructuralSchema {
  private constructor(private readonly root: SchemaNode) {}

  /**
   * Compiles a schema; the result for a given schema object is reused, so compiling per request
   * is cheap. Throws SchemaCompileError when the schema is not structural.
   */
  static compile(
    schema: JSONSchemaProps,
    options: CompileOptions = {},
  ): StructuralSchema {
    const cached = compiled.get(schema);
    if (cached) return cached;
    const result = new StructuralSchema(
      compileSchema(schema, options.fieldPath),
    );
    compiled.set(schema, result);
    return result;
  }

  /** The schema as given. */
  get schema(): JSONSchemaProps {
    return this.root.schema;
  }

  /** Applies defaults in place and returns the same object. */
  applyDefaults<T>(obj: T): T {
    applyDefaultsNode(this.root, obj);
    return obj;
  }

  /** Removes unknown fields in place; returns their paths (`spec.foo.bar`, `spec.list[0].x`). */
  prune(obj: unknown): string[] {
    const pruned: string[] = [];
    pruneNode(this.root, obj, FieldPath.root, pruned, true);
    return pruned;
  }

  /** Validates without changing the object; an empty list means valid. */
  validate(obj: unknown): FieldCause[] {
    const causes: FieldCause[] = [];
    validateNode(this.root, obj, FieldPath.root, causes, true);
    return causes;
  }

  /** Whether the schema declares any CEL rule (kube builds no CEL validator otherwise). */
  get hasRules(): boolean {
    return this.root.rulesBelow;
  }

  /**
   * Evaluates the schema's CEL rules (`x-kubernetes-validations`) against `obj`, and transition
   * rules against `old` on an update; an empty list means every rule holds.
   */
  validateRules(obj: unknown, old?: unknown): FieldCause[] {
    return validateRules(this.root, obj, old);
  }

  /** What the apiserver does to a create or update body: prune, default, validate, in place. */
  admit(obj: unknown): AdmitResult {
    const pruned = this.prune(obj);
    this.applyDefaults(obj);
    return { pruned, causes: this.validate(obj) };
  }

  /**
   * The schema of the field at `path` (`['spec', 'containers', '0', 'name']`): any segment
   * steps into an array's items or a map's values. Undefined for fields the schema does not
   * specify, including those kept by `x-kubernetes-preserve-unknown-fields`.
   */
  at(path: readonly string[]): JSONSchemaProps | undefined {
    let node: SchemaNode | undefined = this.root;
    for (const segment of path) {
      if (!node) return undefined;
      if (node.items) node = node.items;
      else if (node.properties?.has(segment))
        node = node.properties.get(segment);
      else if (typeof node.additionalProperties === 'object')
        node = node.additionalProperties;
      else return undefined;
    }
    return node?.schema;
  }
}
