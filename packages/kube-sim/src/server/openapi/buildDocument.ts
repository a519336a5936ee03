import type { JSONSchemaProps } from '../../schema/types';
import type { ResourceType, ResourceVersion } from '../ResourceType';
import { VERSION_INFO } from '../discovery';
import { OBJECT_META, PATCH, STATUS, definitionName } from './definitionName';

/** One kind served in a group-version. */
export interface ServedKind {
  type: ResourceType;
  version: ResourceVersion;
}

type Json = Record<string, unknown>;

/** Which flavour of document: OpenAPI 3.0 (`components.schemas`) or Swagger 2.0 (`definitions`). */
export type OpenApiFlavour = 'v3' | 'v2';

const OBJECT_META_SCHEMA: JSONSchemaProps = {
  description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  type: 'object',
  properties: {
    name: { description: 'Name must be unique within a namespace.', type: 'string' },
    generateName: { description: 'An optional prefix used by the server to generate a unique name when name is not provided.', type: 'string' },
    namespace: { description: 'Namespace defines the space within which each name must be unique.', type: 'string' },
    uid: { description: 'UID is the unique in time and space value for this object.', type: 'string' },
    resourceVersion: { description: 'An opaque value that represents the internal version of this object.', type: 'string' },
    generation: { description: 'A sequence number representing a specific generation of the desired state.', type: 'integer', format: 'int64' },
    creationTimestamp: { description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', type: 'string', format: 'date-time' },
    deletionTimestamp: { description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.', type: 'string', format: 'date-time' },
    deletionGracePeriodSeconds: { description: 'Number of seconds allowed for this object to gracefully terminate.', type: 'integer', format: 'int64' },
    labels: { description: 'Map of string keys and values that can be used to organize and categorize objects.', type: 'object', additionalProperties: { type: 'string' } },
    annotations: { description: 'Annotations is an unstructured key value map stored with a resource.', type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { description: 'Must be empty before the object is deleted from the registry.', type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    ownerReferences: {
      description: 'List of objects depended by this object.',
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
    },
    managedFields: { description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.', type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  },
};

const API_VERSION_DESCRIPTION = 'APIVersion defines the versioned schema of this representation of an object.';
const KIND_DESCRIPTION = 'Kind is a string value representing the REST resource this object represents.';
const OPEN_SCHEMA: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** Swagger 2.0 has no nullable, anyOf, oneOf or not: kube drops them from what it publishes there. */
function toSwagger2(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toSwagger2);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'anyOf' || key === 'oneOf' || key === 'not') continue;
    // default and example are data, not schemas.
    out[key] = key === 'default' || key === 'example' || key === 'enum' ? value : toSwagger2(value);
  }
  return out;
}

function refTo(flavour: OpenApiFlavour, name: string): string {
  return flavour === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}`;
}

/** A kind's schema as published: the stored schema with apiVersion, kind and a reference to ObjectMeta. */
function kindSchema(kind: ServedKind, flavour: OpenApiFlavour): Json {
  const schema = kind.version.schema ?? OPEN_SCHEMA;
  const body = (flavour === 'v2' ? toSwagger2(schema) : schema) as Json;
  const properties = { ...(body.properties as Json | undefined) };
  properties.apiVersion = { description: API_VERSION_DESCRIPTION, type: 'string' };
  properties.kind = { description: KIND_DESCRIPTION, type: 'string' };
  properties.metadata = flavour === 'v3'
    ? { description: "Standard object's metadata.", allOf: [{ $ref: refTo(flavour, OBJECT_META) }] }
    : { description: "Standard object's metadata.", $ref: refTo(flavour, OBJECT_META) };
  return {
    ...body,
    properties,
    'x-kubernetes-group-version-kind': [{ group: kind.type.group, kind: kind.type.kind, version: kind.version.name }],
  };
}

function param(flavour: OpenApiFlavour, name: string, location: 'path' | 'query', description: string, type = 'string'): Json {
  const base = { name, in: location, description, ...(location === 'path' ? { required: true } : {}) };
  return flavour === 'v3' ? { ...base, schema: { type, uniqueItems: true } } : { ...base, type, uniqueItems: true };
}

function writeParams(flavour: OpenApiFlavour): Json[] {
  return [
    param(flavour, 'dryRun', 'query', 'When present, indicates that modifications should not be persisted.'),
    param(flavour, 'fieldManager', 'query', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
    param(flavour, 'fieldValidation', 'query', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn (the default) or Strict.'),
  ];
}

function response(flavour: OpenApiFlavour, ref: string): Json {
  return flavour === 'v3'
    ? { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } } }
    : { '200': { description: 'OK', schema: { $ref: ref } } };
}

function requestBody(flavour: OpenApiFlavour, ref: string, contentTypes: string[]): Json {
  if (flavour === 'v3') {
    return { requestBody: { required: true, content: Object.fromEntries(contentTypes.map(c => [c, { schema: { $ref: ref } }])) } };
  }
  return { consumes: contentTypes };
}

/** The REST paths of one kind, enough for clients that look operations up by kind (kubectl's field validation check). */
function kindPaths(kind: ServedKind, flavour: OpenApiFlavour): Record<string, Json> {
  const { type, version } = kind;
  const base = type.group ? `/apis/${type.group}/${version.name}` : `/api/${version.name}`;
  const collection = `${base}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
  const item = `${collection}/{name}`;
  const gvk = { group: type.group, version: version.name, kind: type.kind };
  const ref = refTo(flavour, definitionName(type, version.name));
  const patchRef = refTo(flavour, PATCH);
  const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
    ...(type.builtin ? ['application/strategic-merge-patch+json'] : [])];
  const suffix = `${type.kind}${type.namespaced ? 'Namespaced' : ''}`;
  const op = (action: string, id: string, extra: Json = {}): Json => ({
    operationId: `${action}${suffix}${id}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: response(flavour, ref),
    ...extra,
  });
  const namespaceParam = type.namespaced ? [param(flavour, 'namespace', 'path', 'object name and auth scope, such as for teams and projects')] : [];
  const nameParam = param(flavour, 'name', 'path', `name of the ${type.kind}`);
  const paths: Record<string, Json> = {
    [collection]: {
      get: op('list', '', { parameters: [param(flavour, 'labelSelector', 'query', 'A selector to restrict the list of returned objects by their labels.')] }),
      post: op('post', '', { parameters: writeParams(flavour), ...requestBody(flavour, ref, ['application/json']) }),
      delete: op('deletecollection', ''),
      parameters: namespaceParam,
    },
    [item]: {
      get: op('get', ''),
      put: op('put', '', { parameters: writeParams(flavour), ...requestBody(flavour, ref, ['application/json']) }),
      patch: op('patch', '', {
        parameters: [...writeParams(flavour), param(flavour, 'force', 'query', 'Force is going to "force" Apply requests.', 'boolean')],
        ...requestBody(flavour, patchRef, patchTypes),
      }),
      delete: op('delete', ''),
      parameters: [nameParam, ...namespaceParam],
    },
  };
  if (version.status) {
    paths[`${item}/status`] = {
      get: op('get', 'Status'),
      put: op('put', 'Status', { parameters: writeParams(flavour), ...requestBody(flavour, ref, ['application/json']) }),
      patch: op('patch', 'Status', {
        parameters: [...writeParams(flavour), param(flavour, 'force', 'query', 'Force is going to "force" Apply requests.', 'boolean')],
        ...requestBody(flavour, patchRef, patchTypes),
      }),
      parameters: [nameParam, ...namespaceParam],
    };
  }
  return paths;
}

/** An OpenAPI 3.0 document of one group-version, or (v2) the Swagger 2.0 document of every kind served. */
export function buildDocument(kinds: ServedKind[], flavour: OpenApiFlavour): Json {
  const schemas: Json = {
    [OBJECT_META]: flavour === 'v2' ? toSwagger2(OBJECT_META_SCHEMA) : OBJECT_META_SCHEMA,
    [PATCH]: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' },
    [STATUS]: { description: 'Status is a return value for calls that do not return other objects.', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  };
  const paths: Json = {};
  for (const kind of kinds) {
    schemas[definitionName(kind.type, kind.version.name)] = kindSchema(kind, flavour);
    Object.assign(paths, kindPaths(kind, flavour));
  }
  const info = { title: 'Kubernetes', version: VERSION_INFO.gitVersion };
  if (flavour === 'v3') return { openapi: '3.0.0', info, paths, components: { schemas } };
  return { swagger: '2.0', info, paths, definitions: schemas };
}
