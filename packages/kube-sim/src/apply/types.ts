import type { JSONSchemaProps } from '../schema/types';

/** One `metadata.managedFields` entry, as kube-apiserver serialises it. @public */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** A Kubernetes object as plain JSON. @public */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    managedFields?: ManagedFieldsEntry[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/**
 * A field the applier wanted to change while another manager owns it.
 * `field` is printed like kube does: `.spec.replicas`, `.spec.containers[name="app"].image`.
 * @public
 */
export interface ApplyConflict {
  manager: string;
  field: string;
  /** Of the owning entry, for the kube-style message. */
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
}

/** Options shared by apply and update tracking. @public */
export interface FieldTrackingOptions {
  live: KubeObject | undefined;
  manager: string;
  /** `status` for writes to the status subresource. */
  subresource?: 'status';
  /** The resource's structural schema (the CRD version's openAPIV3Schema); undefined = deduce. */
  schema: JSONSchemaProps | undefined;
  /** RFC 3339 timestamp recorded on entries that change. */
  now: string;
  /**
   * Whether the resource has a status subresource. When it does (the default), writes to the
   * main resource leave `.status` as it was and status writes change only `.status`, as the
   * apiserver's reset strategies do; the result objects already have that applied.
   */
  statusSubresource?: boolean;
}
