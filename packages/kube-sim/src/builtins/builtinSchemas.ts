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

function atomicList(item: JSONSchemaProps = open): JSONSchemaProps {
  return { type: 'array', 'x-kubernetes-list-type': 'atomic', items: item };
}

const atomicObject: JSONSchemaProps = { ...open, 'x-kubernetes-map-type': 'atomic' };

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

// kube's OpenAPI defaults protocol, which lets applied port lists omit that map key.
const portSchema: JSONSchemaProps = object({ protocol: { type: 'string', default: 'TCP' } });

const container: JSONSchemaProps = object({
  env: mapList(['name']),
  ports: mapList(['containerPort', 'protocol'], portSchema),
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
  role: topLevel({ rules: atomicList() }),
  clusterRole: topLevel({
    rules: atomicList(),
    aggregationRule: object({ clusterRoleSelectors: atomicList() }),
  }),
  binding: topLevel({ subjects: atomicList(), roleRef: atomicObject }),
  deployment: topLevel({
    spec: object({
      selector: atomicObject,
      template: object({ metadata: objectMetaSchema, spec: podSpecSchema }),
    }),
    status: object({ conditions: conditionsSchema }),
  }),
  service: topLevel({
    spec: object({
      ports: mapList(['port', 'protocol'], portSchema),
      selector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
      clusterIPs: atomicList({ type: 'string' }),
      ipFamilies: atomicList({ type: 'string' }),
      externalIPs: atomicList({ type: 'string' }),
      loadBalancerSourceRanges: atomicList({ type: 'string' }),
    }),
    status: object({ conditions: conditionsSchema, loadBalancer: object({ ingress: atomicList() }) }),
  }),
  podDisruptionBudget: topLevel({
    spec: object({ selector: atomicObject }),
    status: object({ conditions: conditionsSchema, disruptedPods: stringMap }),
  }),
  networkPolicy: topLevel({
    spec: object({ podSelector: atomicObject, ingress: atomicList(), egress: atomicList(), policyTypes: atomicList({ type: 'string' }) }),
  }),
  accessReview: topLevel({ spec: open, status: open }),
} satisfies Record<string, JSONSchemaProps>;
