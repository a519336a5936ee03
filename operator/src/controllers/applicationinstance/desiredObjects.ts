import {
  applicationInstanceSchema,
  ApplicationInstanceSpec,
  issuesOf,
  ResourceIssue,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import { ArgoCdOptions, argoCdSpecIssues, buildArgoCdApplication } from './argocdObjects';
import type { InstanceRef } from './childMeta';
import { buildFluxSource, buildHelmRelease } from './fluxObjects';

/** An ApplicationInstance whose spec passed validation, defaults applied. @public */
export interface ValidInstance {
  ref: InstanceRef;
  generation: number;
  spec: ApplicationInstanceSpec;
}

/** Result of {@link validateInstance}. @public */
export type InstanceValidation =
  | { valid: true; instance: ValidInstance }
  | { valid: false; issues: ResourceIssue[] };

/**
 * Validates an ApplicationInstance as stored (the CRD's schema cannot express every rule of
 * the zod schema, e.g. that an oci repository needs an oci:// URL), plus what its engine
 * cannot do. Status is not validated: it is ours to rewrite.
 * @public
 */
export function validateInstance(obj: KubeObject): InstanceValidation {
  const parsed = applicationInstanceSchema.safeParse({
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: obj.metadata ?? {},
    spec: obj.spec,
  });
  if (!parsed.success) return { valid: false, issues: issuesOf(parsed.error) };
  const spec = parsed.data.spec;
  const engineIssues = spec.engine === 'argocd' ? argoCdSpecIssues(spec) : [];
  if (engineIssues.length) return { valid: false, issues: engineIssues };
  return {
    valid: true,
    instance: {
      ref: {
        name: parsed.data.metadata.name,
        namespace: parsed.data.metadata.namespace ?? obj.metadata?.namespace ?? 'default',
        uid: parsed.data.metadata.uid,
      },
      generation: parsed.data.metadata.generation ?? 0,
      spec,
    },
  };
}

/** Options of the desired-state builders. @public */
export interface DesiredObjectsOptions {
  argocd?: ArgoCdOptions;
}

/**
 * Everything an instance needs applied, in apply order (a source before the release that
 * reads it). `sourceUsers` are the instances sharing its Flux source (itself included).
 * Pure: the controller and `fleet-operator render` both call it.
 * @public
 */
export function desiredObjects(
  instance: ValidInstance,
  sourceUsers: ReadonlyArray<InstanceRef>,
  options: DesiredObjectsOptions = {},
): KubeObject[] {
  switch (instance.spec.engine) {
    case 'argocd':
      return [buildArgoCdApplication(instance.ref, instance.spec, options.argocd)];
    case 'flux':
    default:
      return [
        buildFluxSource(instance.spec.chart, instance.ref.namespace, sourceUsers),
        buildHelmRelease(instance.ref, instance.spec),
      ];
  }
}
