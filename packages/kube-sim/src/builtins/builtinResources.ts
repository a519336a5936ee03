import type { JSONSchemaProps } from '../schema/types';
import { defaultBinding, validateBinding, validateRules } from '../server/rbac/validateRbac';
import type { ResourceType, ScaleSubresource } from '../server/ResourceType';
import type { StatusCause } from '../server/StatusError';
import type { KubeObject, UserInfo } from '../types';
import type { NameRule } from '../validation/names';
import { builtinSchemas } from './builtinSchemas';
import { createJob, defaultJob, validateJob } from './jobs';
import { defaultPvc, defaultSecret, validateConfigMap, validateCoreEvent, validateEventsV1, validateLease, validatePvc, validateSecret } from './coreValidation';
import {
  ClusterIpAllocator,
  createService,
  defaultDeployment,
  defaultNetworkPolicy,
  updateService,
  validateDeployment,
  validateService,
} from './workloadDefaults';

/** What built-ins need from their cluster. */
export interface BuiltinHooks {
  /** Answers the access review kinds of authorization.k8s.io for the requesting user. */
  accessReview?: (review: KubeObject, user: UserInfo) => KubeObject;
}

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
  onUpdate?: (object: Record<string, unknown>, old: KubeObject) => void;
  validate?: (object: KubeObject, old: KubeObject | undefined) => StatusCause[];
  review?: (object: KubeObject, user: UserInfo) => KubeObject;
  scale?: ScaleSubresource;
  nameRule?: NameRule | 'unchecked';
  returnDeletedObject?: boolean;
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
    versions: [{ name: spec.version, storage: true, schema: spec.schema, status: spec.status ?? false, scale: spec.scale }],
    builtin: true,
    generation: spec.generation ?? false,
    allowUnconditionalUpdate: true,
    defaultPropagation: spec.defaultPropagation ?? 'Background',
    onCreate: spec.onCreate,
    onUpdate: spec.onUpdate,
    validate: spec.validate,
    review: spec.review,
    nameRule: spec.nameRule,
    returnDeletedObject: spec.returnDeletedObject,
  };
}

/**
 * `SetDefaults_Namespace` (pkg/apis/core/v1/defaults.go): every namespace carries its name as the
 * label `kubernetes.io/metadata.name`, which webhooks' namespaceSelectors commonly match on.
 */
function labelNamespace(ns: Record<string, unknown>): void {
  const metadata = (ns.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
  if (metadata.name) metadata.labels = { ...(metadata.labels ?? {}), 'kubernetes.io/metadata.name': metadata.name };
}

/** The built-in kinds kube-sim serves, with the subresources and defaults of kube 1.31. */
export function builtinResources(hooks: BuiltinHooks = {}): ResourceType[] {
  const clusterIps = new ClusterIpAllocator();
  const rbac = 'rbac.authorization.k8s.io';
  const authorization = 'authorization.k8s.io';
  const unanswered = (object: KubeObject): KubeObject => ({ ...object, status: { allowed: false } });
  const review = hooks.accessReview ?? unanswered;
  return [
    builtin({
      group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, nameRule: 'label', returnDeletedObject: true,
      schema: builtinSchemas.namespace, status: true, shortNames: ['ns'],
      onCreate: ns => {
        labelNamespace(ns);
        ns.spec = { finalizers: ['kubernetes'] };
        ns.status = { phase: 'Active' };
      },
      onUpdate: labelNamespace,
    }),
    builtin({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, schema: builtinSchemas.secret,
      onCreate: defaultSecret, onUpdate: defaultSecret, validate: validateSecret,
    }),
    builtin({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, schema: builtinSchemas.configMap, shortNames: ['cm'], validate: validateConfigMap }),
    builtin({ group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, schema: builtinSchemas.serviceAccount, shortNames: ['sa'], returnDeletedObject: true }),
    // kube validates no metadata of a core/v1 Event (legacyValidateEvent), only events.k8s.io/v1 ones.
    builtin({ group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, schema: builtinSchemas.event, shortNames: ['ev'], nameRule: 'unchecked', validate: validateCoreEvent }),
    builtin({ group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, schema: builtinSchemas.event, shortNames: ['ev'], validate: validateEventsV1 }),
    builtin({
      group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true,
      schema: builtinSchemas.pvc, status: true, shortNames: ['pvc'],
      onCreate: pvc => {
        defaultPvc(pvc);
        pvc.status = { phase: 'Pending' };
      },
      onUpdate: defaultPvc,
      validate: validatePvc,
    }),
    builtin({
      group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true, schema: builtinSchemas.job,
      status: true, generation: true, defaultPropagation: 'Orphan',
      onCreate: createJob,
      onUpdate: defaultJob,
      validate: validateJob,
    }),
    builtin({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, schema: builtinSchemas.lease, validate: validateLease }),
    builtin({
      group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition',
      namespaced: false, schema: builtinSchemas.crd, status: true, generation: true, shortNames: ['crd', 'crds'],
    }),
    builtin({
      group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations',
      kind: 'ValidatingWebhookConfiguration', namespaced: false, schema: builtinSchemas.validatingWebhookConfiguration,
      generation: true,
    }),
    builtin({
      group: rbac, version: 'v1', plural: 'roles', kind: 'Role', nameRule: 'pathSegment', namespaced: true, schema: builtinSchemas.role,
      validate: role => validateRules(role, true),
    }),
    builtin({
      group: rbac, version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', nameRule: 'pathSegment', namespaced: false, schema: builtinSchemas.clusterRole,
      validate: role => validateRules(role, false),
    }),
    builtin({
      group: rbac, version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', nameRule: 'pathSegment', namespaced: true, schema: builtinSchemas.binding,
      onCreate: defaultBinding, onUpdate: defaultBinding, validate: (binding, old) => validateBinding(binding, old, true),
    }),
    builtin({
      group: rbac, version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', nameRule: 'pathSegment', namespaced: false, schema: builtinSchemas.binding,
      onCreate: defaultBinding, onUpdate: defaultBinding, validate: (binding, old) => validateBinding(binding, old, false),
    }),
    builtin({
      group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, schema: builtinSchemas.deployment,
      status: true, generation: true, shortNames: ['deploy'],
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
      onCreate: deployment => {
        defaultDeployment(deployment);
        deployment.status = {};
      },
      onUpdate: defaultDeployment,
      validate: validateDeployment,
    }),
    builtin({
      // ValidateServiceName is NameIsDNS1035Label: a Service name is a DNS name in the cluster domain.
      group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, schema: builtinSchemas.service, nameRule: 'dns1035', returnDeletedObject: true,
      status: true, shortNames: ['svc'],
      onCreate: service => createService(service, clusterIps),
      onUpdate: updateService,
      validate: validateService,
    }),
    builtin({
      group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true,
      schema: builtinSchemas.podDisruptionBudget, status: true, generation: true, shortNames: ['pdb'],
      onCreate: pdb => {
        pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
      },
    }),
    builtin({
      group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true,
      schema: builtinSchemas.networkPolicy, generation: true, shortNames: ['netpol'],
      onCreate: defaultNetworkPolicy, onUpdate: defaultNetworkPolicy,
    }),
    builtin({
      group: authorization, version: 'v1', plural: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false,
      schema: builtinSchemas.accessReview, review,
    }),
    builtin({
      group: authorization, version: 'v1', plural: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false,
      schema: builtinSchemas.accessReview, review,
    }),
    builtin({
      group: authorization, version: 'v1', plural: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', namespaced: true,
      schema: builtinSchemas.accessReview, review,
    }),
  ];
}
