import type {
  ApplicationInstanceSpec,
  ArgoCdApplication,
  ResourceIssue,
} from '@vworkspace/backstage-plugin-fleet-common';
import {
  childLabels,
  InstanceRef,
  instanceNamespaceLabel,
  withAppliedHash,
} from './childMeta';
import { instanceKinds } from './kinds';

/** Where Argo CD Applications go. @public */
export interface ArgoCdOptions {
  /** Namespace Argo CD watches for Applications. Default `argocd`. */
  namespace?: string;
  /** Argo CD project. Default `default`. */
  project?: string;
  /** Destination cluster. Default the cluster Argo CD runs in. */
  destinationServer?: string;
}

/** Default namespace of Argo CD. @public */
export const defaultArgoCdNamespace = 'argocd';

/**
 * Name of the Application of an instance. Applications of every namespace share the Argo CD
 * namespace, so the instance's namespace is part of the name.
 * @public
 */
export function argoCdApplicationName(instance: { name: string; namespace: string }): string {
  return `${instance.namespace}-${instance.name}`;
}

/**
 * What the argocd engine cannot express. Argo CD has no equivalent of Flux's `valuesFrom`
 * (values from Secrets and ConfigMaps), and silently dropping them would deploy other values
 * than the user asked for.
 * @public
 */
export function argoCdSpecIssues(spec: ApplicationInstanceSpec): ResourceIssue[] {
  return spec.valuesFrom?.length
    ? [{ path: 'spec.valuesFrom', message: 'not supported by the argocd engine' }]
    : [];
}

/**
 * Argo CD's Helm source for a chart. For an OCI chart, Argo CD wants the registry path without
 * the scheme and the chart name apart.
 */
function helmSource(chart: ApplicationInstanceSpec['chart']) {
  const url = chart.repository.url.trim().replace(/\/+$/, '');
  if (chart.repository.type !== 'oci') return { repoURL: url, chart: chart.name };
  const path = url.replace(/^oci:\/\//, '');
  const suffix = `/${chart.name}`;
  return { repoURL: path.endsWith(suffix) ? path.slice(0, -suffix.length) : path, chart: chart.name };
}

/**
 * The Argo CD Application of an instance. It lives in the Argo CD namespace, where an
 * ownerReference to the instance would be invalid: it is found by its labels instead, and a
 * finalizer on the instance deletes it. A suspended instance loses automated sync.
 * @public
 */
export function buildArgoCdApplication(
  instance: InstanceRef,
  spec: ApplicationInstanceSpec,
  options: ArgoCdOptions = {},
): ArgoCdApplication {
  return withAppliedHash<ArgoCdApplication>({
    apiVersion: instanceKinds.Application.apiVersion,
    kind: 'Application',
    metadata: {
      name: argoCdApplicationName(instance),
      namespace: options.namespace ?? defaultArgoCdNamespace,
      labels: { ...childLabels(instance), [instanceNamespaceLabel]: instance.namespace },
    },
    spec: {
      project: options.project ?? 'default',
      source: {
        ...helmSource(spec.chart),
        targetRevision: spec.chart.version,
        helm: {
          releaseName: instance.name,
          ...(spec.values !== undefined ? { valuesObject: spec.values } : {}),
        },
      },
      destination: {
        server: options.destinationServer ?? 'https://kubernetes.default.svc',
        namespace: instance.namespace,
      },
      syncPolicy: {
        ...(spec.suspend ? {} : { automated: { prune: true, selfHeal: true } }),
        retry: { limit: 5 },
      },
    },
  });
}
