import type { JSONSchemaProps } from '../schema/types';

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer' };
const stringMap: JSONSchemaProps = {
  type: 'object',
  additionalProperties: str,
};

/**
 * ObjectMeta as kube-apiserver types it for server-side apply, whatever the CRD schema says about
 * `metadata` (CRD schemas may only constrain name and generateName; the topology is fixed).
 */
export const objectMetaSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    selfLink: str,
    uid: str,
    resourceVersion: str,
    generation: int,
    creationTimestamp: str,
    deletionTimestamp: str,
    deletionGracePeriodSeconds: int,
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      items: {
        type: 'object',
        properties: {
          apiVersion: str,
          kind: str,
          name: str,
          uid: str,
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
      },
    },
    finalizers: { type: 'array', 'x-kubernetes-list-type': 'set', items: str },
    managedFields: {
      type: 'array',
      'x-kubernetes-list-type': 'atomic',
      items: { type: 'object' },
    },
  },
};

// Without a schema the rest of the object is deduced from its values.
const untypedRoot: JSONSchemaProps = {
  type: 'object',
  properties: { apiVersion: str, kind: str, metadata: objectMetaSchema },
  'x-kubernetes-preserve-unknown-fields': true,
};

const roots = new WeakMap<JSONSchemaProps, JSONSchemaProps>();

/** The schema of a whole object: the resource schema with kube's own ObjectMeta typing. */
export function rootSchema(
  schema: JSONSchemaProps | undefined,
): JSONSchemaProps {
  if (!schema) return untypedRoot;
  let root = roots.get(schema);
  if (!root) {
    root = {
      ...schema,
      type: 'object',
      properties: {
        ...schema.properties,
        apiVersion: str,
        kind: str,
        metadata: objectMetaSchema,
      },
    };
    roots.set(schema, root);
  }
  return root;
}
