import type { JSONSchemaProps } from './types';

/**
 * A schema node prepared for repeated use: property maps, compiled patterns and enum lookups are
 * built once per CRD version, so each request only walks the object.
 */
export interface SchemaNode {
  readonly schema: JSONSchemaProps;
  /** Allowed JSON types; `number` also admits integers. Undefined when any type goes. */
  readonly types?: readonly string[];
  readonly typeName?: string;
  readonly nullable: boolean;
  readonly preserveUnknownFields: boolean;
  readonly embeddedResource: boolean;
  readonly properties?: ReadonlyMap<string, SchemaNode>;
  /** A schema for map values, `true` to keep any extra key, `false` to forbid them. */
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly required?: readonly string[];
  readonly enumKeys?: ReadonlySet<string>;
  readonly pattern?: RegExp;
  readonly checkFormat?: (s: string) => boolean;
  readonly allOf?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly not?: SchemaNode;
  readonly hasDefault: boolean;
  /**
   * Whether this node, or a property, map value or list item below it, declares CEL rules
   * (`x-kubernetes-validations`): rule evaluation skips the subtrees that have none.
   */
  readonly rulesBelow: boolean;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
}
