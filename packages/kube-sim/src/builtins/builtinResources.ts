import type { JSONSchemaProps } from '../schema/types';
import type { ResourceType } from '../server/ResourceType';
import { builtinSchemas } from './builtinSchemas';

interface BuiltinSpec {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  schema: JSONSchemaProps;
  status?: boolean;
  generation?: boolean;
  shortNames?: string[];
  defaultPropagation?: 'Background' | 'Orphan';
  onCreate?: (object: Record<string, unknown>) => void;
}

function builtin(spec: BuiltinSpec): ResourceType {
  return {
    group: spec.group,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    namespaced: spec.namespaced,
    shortNames: spec.shortNames,
    versions: [{ name: spec.version, storage: true, schema: spec.schema, status: spec.status ?? false }],
    builtin: true,
    generation: spec.generation ?? false,
    allowUnconditionalUpdate: true,
    defaultPropagation: spec.defaultPropagation ?? 'Background',
    onCreate: spec.onCreate,
  };
}

/** The built-in kinds kube-sim serves, with the subresources and defaults of kube 1.31. */
export function builtinResources(): ResourceType[] {
  return [
    builtin({
      group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false,
      schema: builtinSchemas.namespace, status: true, shortNames: ['ns'],
      onCreate: ns => {
        ns.spec = { finalizers: ['kubernetes'] };
        ns.status = { phase: 'Active' };
      },
    }),
    builtin({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, schema: builtinSchemas.secret,
      onCreate: secret => {
        // kube stores stringData merged into base64 data and defaults the type.
        const stringData = secret.stringData as Record<string, string> | undefined;
        if (stringData) {
          const data = { ...((secret.data as Record<string, string>) ?? {}) };
          for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v).toString('base64');
          secret.data = data;
          delete secret.stringData;
        }
        secret.type ??= 'Opaque';
      },
    }),
    builtin({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, schema: builtinSchemas.configMap, shortNames: ['cm'] }),
    builtin({ group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, schema: builtinSchemas.serviceAccount, shortNames: ['sa'] }),
    builtin({ group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, schema: builtinSchemas.event, shortNames: ['ev'] }),
    builtin({ group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, schema: builtinSchemas.event, shortNames: ['ev'] }),
    builtin({
      group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true,
      schema: builtinSchemas.pvc, status: true, shortNames: ['pvc'],
      onCreate: pvc => {
        pvc.status = { phase: 'Pending' };
      },
    }),
    builtin({
      group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true, schema: builtinSchemas.job,
      status: true, generation: true, defaultPropagation: 'Orphan',
      onCreate: job => {
        job.status = {};
      },
    }),
    builtin({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, schema: builtinSchemas.lease }),
    builtin({
      group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition',
      namespaced: false, schema: builtinSchemas.crd, status: true, generation: true, shortNames: ['crd', 'crds'],
    }),
    builtin({
      group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations',
      kind: 'ValidatingWebhookConfiguration', namespaced: false, schema: builtinSchemas.validatingWebhookConfiguration,
      generation: true,
    }),
  ];
}
