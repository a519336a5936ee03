import { z } from 'zod';

/** DNS-1123 label: what Kubernetes requires of namespaces and most object names. @public */
export const dns1123LabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** DNS-1123 subdomain: what Kubernetes requires of names of most other kinds. @public */
export const dns1123SubdomainPattern =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A Go duration as Flux accepts it (`10m`, `1h30m`, `90s`, `500ms`). Flux's CRDs reject the
 * rarer Go units (ns, us), and an interval we accept must survive the trip into a HelmRelease.
 * @public
 */
export const goDurationPattern = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** Semantic version 2.0.0 (an exact version, not a range). @public */
export const semverPattern =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * A DNS-1123 label of at most `max` characters (63 by default; 53 where the name becomes a
 * Helm release name).
 * @public
 */
export function dns1123Label(max = 63) {
  return z.string().max(max).regex(dns1123LabelPattern, {
    message: 'must be a lowercase DNS-1123 label (a-z, 0-9, "-")',
  });
}

/** A DNS-1123 subdomain of at most 253 characters. @public */
export function dns1123Subdomain() {
  return z.string().max(253).regex(dns1123SubdomainPattern, {
    message: 'must be a lowercase DNS-1123 subdomain (a-z, 0-9, "-", ".")',
  });
}

/** A duration such as `10m` or `1h30m`. @public */
export function goDuration() {
  return z.string().regex(goDurationPattern, {
    message: 'must be a duration such as 10m, 1h30m or 45s',
  });
}

/** An exact semantic version such as `6.2.0`. @public */
export function semver() {
  return z.string().regex(semverPattern, {
    message: 'must be a semantic version such as 6.2.0',
  });
}

/**
 * An RFC 3339 timestamp as the API server writes metav1.Time. Offsets are accepted because
 * other writers than the API server do not always use `Z`.
 * @public
 */
export function timestamp() {
  return z.iso.datetime({ offset: true });
}

/** Free-form JSON object (Helm values, engine parameters, results). @public */
export function freeForm() {
  return z
    .record(z.string(), z.unknown())
    .meta({ 'x-kubernetes-preserve-unknown-fields': true });
}

/** metav1.OwnerReference. @public */
export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

/** metav1.ObjectMeta; loose, because the API server adds fields we never look at. @public */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: timestamp().optional(),
  deletionTimestamp: timestamp().optional(),
  deletionGracePeriodSeconds: z.int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
  finalizers: z.array(z.string()).optional(),
  managedFields: z.array(z.unknown()).optional(),
});

/** metav1.ObjectMeta. @public */
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** metav1.LabelSelector. @public */
export const labelSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** metav1.LabelSelector. @public */
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

/** A reference to a namespaced object of any kind. @public */
export const objectReferenceSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

/** A reference to a namespaced object of any kind. @public */
export type ObjectReference = z.infer<typeof objectReferenceSchema>;
