import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  KubernetesValidatorFunctions,
  parseEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  appSystemName,
  appSystemRef,
  clusterEntityName,
  clusterEntityRef,
  fleetAnnotations,
  fleetEntityNamespace,
  instanceEntityName,
  type AppTemplate,
  type ClusterSummary,
  type InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';

/** What entity building needs from the provider's configuration. */
export interface EntityDefaults {
  /** Owner of clusters, apps and instances that name none. */
  defaultOwner: string;
  /** Cluster label whose value is an instance's lifecycle. */
  lifecycleLabel: string;
  /** Lifecycle when the cluster has no such label. */
  defaultLifecycle: string;
}

/** `spec.type` of an instance's Component. */
export const instanceComponentType = 'application-instance';
/** `spec.type` of a cluster's Resource. */
export const clusterResourceType = 'kubernetes-cluster';

const apiVersion = 'backstage.io/v1alpha1';

/**
 * The catalog insists on a location for every entity; the fleet is the source of these, so
 * the location names the fleet object (it is not a URL a reader could fetch).
 */
function locationAnnotations(target: string): Record<string, string> {
  const location = `fleet:${target}`;
  return {
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: location,
  };
}

/** Unreachable (or not yet contacted) clusters only have a last-known state to show. */
export function isClusterOutOfReach(
  cluster: ClusterSummary | undefined,
): boolean {
  return (
    cluster?.connection.state === 'unreachable' ||
    cluster?.connection.state === 'pending'
  );
}

/**
 * A Backstage tag from free text: lowercase, runs of other characters turned into one `-`;
 * undefined when nothing valid is left or it is too long.
 */
export function toTag(text: string): string | undefined {
  const tag = text
    .toLowerCase()
    .replace(/[^a-z0-9:+#]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return tag.length > 0 && tag.length <= 63 ? tag : undefined;
}

function validOwner(owner: string | undefined, fallback: string): string {
  if (!owner) return fallback;
  try {
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: fleetEntityNamespace,
    });
    return owner;
  } catch {
    // An instance annotation the catalog cannot resolve would fail the entity's processing.
    return fallback;
  }
}

/** The cluster's labels that are valid catalog labels; others are left out. */
function validLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).filter(
      ([key, value]) =>
        KubernetesValidatorFunctions.isValidLabelKey(key) &&
        KubernetesValidatorFunctions.isValidLabelValue(value),
    ),
  );
}

/** A cluster as a Resource of type `kubernetes-cluster`. */
export function clusterEntity(
  cluster: ClusterSummary,
  defaults: EntityDefaults,
): Entity {
  const annotations: Record<string, string> = {
    ...locationAnnotations(`clusters/${cluster.name}`),
    [fleetAnnotations.cluster]: cluster.name,
    [fleetAnnotations.connectivity]: cluster.mode,
    [fleetAnnotations.connectionState]: cluster.connection.state,
  };
  if (isClusterOutOfReach(cluster))
    annotations[fleetAnnotations.stale] = 'true';
  return {
    apiVersion,
    kind: 'Resource',
    metadata: {
      name: clusterEntityName(cluster.name),
      namespace: fleetEntityNamespace,
      title: cluster.title || cluster.name,
      description: `Kubernetes cluster ${cluster.name} of the fleet (${cluster.mode} mode)`,
      labels: validLabels(cluster.labels),
      annotations,
      tags: [
        toTag(cluster.mode),
        toTag(cluster.labels[defaults.lifecycleLabel] ?? ''),
      ].filter((tag): tag is string => tag !== undefined),
    },
    spec: {
      type: clusterResourceType,
      owner: defaults.defaultOwner,
    },
  };
}

/** An app of the app catalog as a System. */
export function appSystemEntity(
  app: AppTemplate,
  defaults: EntityDefaults,
): Entity {
  return {
    apiVersion,
    kind: 'System',
    metadata: {
      name: appSystemName(app.id),
      namespace: fleetEntityNamespace,
      title: app.title,
      ...(app.description ? { description: app.description } : {}),
      annotations: {
        ...locationAnnotations(`apps/${app.id}`),
        [fleetAnnotations.app]: app.id,
      },
      links: app.links.map(link => ({ url: link.url, title: link.title })),
      tags: [toTag(app.chart.name)].filter(
        (tag): tag is string => tag !== undefined,
      ),
    },
    spec: {
      owner: defaults.defaultOwner,
    },
  };
}

/**
 * An ApplicationInstance as a Component of type `application-instance`: part of its app's
 * System, depending on its cluster's Resource, owned by its `backstage.io/owner` annotation or
 * the default owner, with the lifecycle of its cluster's label. Marked stale while its data is
 * only the last state seen.
 */
export function instanceEntity(
  instance: InstanceSummary,
  context: {
    cluster?: ClusterSummary;
    app?: AppTemplate;
    defaults: EntityDefaults;
  },
): Entity {
  const { cluster, app, defaults } = context;
  const annotations: Record<string, string> = {
    ...locationAnnotations(
      `instances/${instance.cluster}/${instance.namespace}/${instance.name}`,
    ),
    [fleetAnnotations.cluster]: instance.cluster,
    [fleetAnnotations.namespace]: instance.namespace,
    [fleetAnnotations.instance]: instance.name,
    [fleetAnnotations.app]: instance.app,
  };
  if (cluster) annotations[fleetAnnotations.connectivity] = cluster.mode;
  if (instance.stale || isClusterOutOfReach(cluster))
    annotations[fleetAnnotations.stale] = 'true';
  const appTitle = app?.title ?? instance.app;
  return {
    apiVersion,
    kind: 'Component',
    metadata: {
      name: instanceEntityName(instance),
      namespace: fleetEntityNamespace,
      title: `${instance.name} (${instance.cluster}/${instance.namespace})`,
      description: `${appTitle} on cluster ${instance.cluster}, namespace ${instance.namespace}`,
      annotations,
      tags: [...new Set([toTag(instance.app), toTag(instance.engine)])].filter(
        (tag): tag is string => tag !== undefined,
      ),
      links: (app?.links ?? []).map(link => ({
        url: link.url,
        title: link.title,
      })),
    },
    spec: {
      type: instanceComponentType,
      lifecycle:
        cluster?.labels[defaults.lifecycleLabel] || defaults.defaultLifecycle,
      owner: validOwner(instance.owner, defaults.defaultOwner),
      system: appSystemRef(instance.app),
      dependsOn: [clusterEntityRef(instance.cluster)],
    },
  };
}
