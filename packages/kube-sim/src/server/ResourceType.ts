import type { JSONSchemaProps } from '../schema/types';
import type { KubeObject, UserInfo } from '../types';
import type { StatusCause } from './StatusError';
import type { NameRule } from '../validation/names';

/** A scale subresource as a CRD declares it. @public */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One served version of a resource. @public */
export interface ResourceVersion {
  name: string;
  storage: boolean;
  /** Schema of the whole object (apiVersion, kind, metadata, spec, status...). */
  schema?: JSONSchemaProps;
  status: boolean;
  scale?: ScaleSubresource;
  /** A CRD version's `additionalPrinterColumns`, the columns of its table responses. */
  printerColumns?: PrinterColumn[];
}

/** One `additionalPrinterColumns` entry of a CRD version. @public */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/**
 * Everything the server needs to know to serve a resource, for built-ins and custom resources
 * alike. @public
 */
export interface ResourceType {
  group: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  versions: ResourceVersion[];
  /** Built-ins accept strategic merge patch, have no openAPIV3Schema validation and answer deletes with a Status. */
  builtin: boolean;
  /** Whether metadata.generation is maintained. */
  generation: boolean;
  /** Built-ins such as ConfigMap accept a PUT without metadata.resourceVersion; custom resources do not. */
  allowUnconditionalUpdate: boolean;
  /** A built-in whose registry answers a completed delete with the object rather than a Status. */
  returnDeletedObject?: boolean;
  /** kube keeps Orphan as the default for batch/v1 Jobs for compatibility. */
  defaultPropagation: 'Background' | 'Orphan';
  /** Prepares a built-in object on create (e.g. a Namespace gets its phase and finalizer). */
  onCreate?: (object: Record<string, unknown>) => void;
  /** Keeps server-assigned values over an update (a Service's clusterIP); gets a copy it may change. */
  onUpdate?: (object: Record<string, unknown>, old: KubeObject) => void;
  /**
   * How names are checked when not a DNS subdomain: `label` (Namespace), `dns1035` (Service),
   * `pathSegment` (RBAC objects may have any name a URL path segment can hold, e.g.
   * `system:discovery`); `unchecked` for core/v1 Events, whose metadata kube does not validate.
   */
  nameRule?: NameRule | 'unchecked';
  /** What kube's Go validation of a built-in rejects; `old` is set on updates. */
  validate?: (object: KubeObject, old: KubeObject | undefined) => StatusCause[];
  /**
   * A review kind (SubjectAccessReview and the like): a create is answered with the object this
   * returns and nothing is stored; no other verb is served.
   */
  review?: (object: KubeObject, user: UserInfo) => KubeObject;
}

export function versionOf(type: ResourceType, version: string): ResourceVersion | undefined {
  return type.versions.find(v => v.name === version);
}

export function storageVersion(type: ResourceType): ResourceVersion {
  return type.versions.find(v => v.storage) ?? type.versions[0];
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The address of a resource's storage version, for in-process writers. */
export function refOf(type: ResourceType, namespace?: string): { group: string; version: string; resource: string; namespace?: string } {
  return { group: type.group, version: storageVersion(type).name, resource: type.plural, namespace: type.namespaced ? namespace : undefined };
}
