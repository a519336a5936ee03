import type { JSONSchemaProps } from '../schema/types';

/**
 * Hand-written schemas of the built-in kinds. They validate nothing beyond what kube's Go types
 * would reject outright; their job is to carry the list and map topology that server-side apply
 * and strategic merge patch need (which list is a set, which is a map keyed by what).
 */

const open: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const stringMap: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };

function mapList(keys: string[], item: JSONSchemaProps = open): JSONSchemaProps {
  return { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys, items: item };
}

function setList(): JSONSchemaProps {
  return { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } };
}

function object(properties: Record<string, JSONSchemaProps>): JSONSchemaProps {
  return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties };
}

/** ObjectMeta topology, shared with custom resources whose schemas leave metadata opaque. */
export const objectMetaSchema: JSONSchemaProps = object({
  name: { type: 'string' },
  generateName: { type: 'string' },
  namespace: { type: 'string' },
  labels: stringMap,
  annotations: stringMap,
  finalizers: setList(),
  ownerReferences: mapList(['uid']),
  managedFields: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: open },
});

export const conditionsSchema: JSONSchemaProps = mapList(['type']);

export function topLevel(properties: Record<string, JSONSchemaProps>): JSONSchemaProps {
  return object({ apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMetaSchema, ...properties });
}

const container: JSONSchemaProps = object({
  env: mapList(['name']),
  ports: mapList(['containerPort', 'protocol']),
  volumeMounts: mapList(['mountPath']),
  volumeDevices: mapList(['devicePath']),
});

export const podSpecSchema: JSONSchemaProps = object({
  containers: mapList(['name'], container),
  initContainers: mapList(['name'], container),
  volumes: mapList(['name']),
  imagePullSecrets: mapList(['name']),
  tolerations: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: open },
});

export const builtinSchemas = {
  namespace: topLevel({
    spec: object({ finalizers: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } } }),
    status: object({ conditions: conditionsSchema }),
  }),
  secret: topLevel({ data: stringMap, stringData: stringMap }),
  configMap: topLevel({ data: stringMap, binaryData: stringMap }),
  serviceAccount: topLevel({ secrets: mapList(['name']), imagePullSecrets: mapList(['name']) }),
  event: topLevel({}),
  pvc: topLevel({
    spec: object({ accessModes: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } } }),
    status: object({ conditions: conditionsSchema }),
  }),
  job: topLevel({
    spec: object({
      template: object({ metadata: objectMetaSchema, spec: podSpecSchema }),
    }),
    // kube declares JobStatus.conditions atomic.
    status: object({ conditions: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: open } }),
  }),
  lease: topLevel({}),
  crd: topLevel({
    // Tracked as one field: a CRD spec can hold megabytes of schema, and per-leaf managedFields
    // for it would cost more than the rest of the cluster.
    spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-map-type': 'atomic' },
    status: object({ conditions: conditionsSchema, storedVersions: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } } }),
  }),
  validatingWebhookConfiguration: topLevel({ webhooks: mapList(['name']) }),
} satisfies Record<string, JSONSchemaProps>;
