import {
  generationChanged,
  KubeObject,
  Manager,
  Request,
  Store,
  UpdatePredicate,
} from '../../runtime';
import {
  applicationInstanceIndex,
  ApplicationInstanceReconciler,
  fluxSourceIndex,
  operationTargetIndex,
  ownerUidIndex,
} from './ApplicationInstanceReconciler';
import { ArgoCdOptions, defaultArgoCdNamespace } from './argocdObjects';
import { instanceLabel, instanceNamespaceLabel, managedByValue } from './childMeta';
import { validateInstance } from './desiredObjects';
import { fluxSourceKind, fluxSourceName } from './fluxObjects';
import { instanceKinds } from './kinds';
import { jsonEqual } from './statusPatch';

/** @public */
export interface ApplicationInstanceControllerOptions {
  /** Parallel reconciles. Default the manager's. */
  concurrency?: number;
  /** Where Argo CD Applications go (namespace default `argocd`). */
  argocd?: ArgoCdOptions;
  /**
   * Whether to watch Argo CD Applications. Default: when the cache can see the Argo CD
   * namespace. Pass false where Argo CD is not installed: a watch of a kind the API server does
   * not serve would keep the caches from ever syncing.
   */
  watchApplications?: boolean;
  /** Time source of condition transitions. */
  now?: () => Date;
}

/** Name of the controller in logs and metrics. @public */
export const applicationInstanceControllerName = 'applicationinstance';

const instanceKind = instanceKinds.ApplicationInstance.kind;

/** A change that matters for a source: anything but its status. */
const metadataOrSpecChanged: UpdatePredicate = (oldObj, newObj) =>
  generationChanged(oldObj, newObj) ||
  !jsonEqual(oldObj.metadata?.ownerReferences, newObj.metadata?.ownerReferences) ||
  !jsonEqual(oldObj.metadata?.labels, newObj.metadata?.labels) ||
  !jsonEqual(oldObj.metadata?.annotations, newObj.metadata?.annotations);

/** Only an Operation's phase matters here (for `lastBackup`). */
const phaseChanged: UpdatePredicate = (oldObj, newObj) =>
  (oldObj.status as { phase?: string } | undefined)?.phase !== (newObj.status as { phase?: string } | undefined)?.phase;

function addIndexOnce(store: Store, name: string, fn: (obj: KubeObject) => readonly string[]): void {
  try {
    store.addIndex(name, fn);
  } catch {
    // already added by an earlier registration on the same manager
  }
}

/**
 * Declares the ApplicationInstance controller on a manager: `For(ApplicationInstance)`,
 * `Owns(HelmRelease)`, `Watches` of the shared Flux sources (to every instance using them),
 * of Operations (to their target, for `lastBackup`) and of Argo CD Applications (to the
 * instance named by their labels). Returns the reconciler.
 *
 * Argo CD Applications live in the Argo CD namespace: when the manager's cache is limited to
 * another namespace they are read directly and polled instead of watched.
 * @public
 */
export function registerApplicationInstanceController(
  manager: Manager,
  options: ApplicationInstanceControllerOptions = {},
): ApplicationInstanceReconciler {
  const argoNamespace = options.argocd?.namespace ?? defaultArgoCdNamespace;
  const cacheApplications =
    (options.watchApplications ?? true) && (!manager.namespace || manager.namespace === argoNamespace);

  const instances = manager.getInformer(instanceKinds.ApplicationInstance).store;
  const helmReleases = manager.getInformer(instanceKinds.HelmRelease).store;
  const helmRepositories = manager.getInformer(instanceKinds.HelmRepository).store;
  const ociRepositories = manager.getInformer(instanceKinds.OCIRepository).store;
  const operations = manager.getInformer(instanceKinds.Operation).store;
  const applications = cacheApplications ? manager.getInformer(instanceKinds.Application).store : undefined;

  addIndexOnce(instances, fluxSourceIndex, obj => {
    if (obj.metadata?.deletionTimestamp) return [];
    const v = validateInstance(obj);
    if (!v.valid || v.instance.spec.engine !== 'flux') return [];
    const chart = v.instance.spec.chart;
    return [`${v.instance.ref.namespace}/${fluxSourceKind(chart)}/${fluxSourceName(chart)}`];
  });
  const ownerUids = (obj: KubeObject) =>
    (obj.metadata?.ownerReferences ?? []).filter(r => r.kind === instanceKind).map(r => r.uid);
  addIndexOnce(helmRepositories, ownerUidIndex, ownerUids);
  addIndexOnce(ociRepositories, ownerUidIndex, ownerUids);
  addIndexOnce(operations, operationTargetIndex, obj => {
    const target = (obj.spec as { target?: { applicationInstance?: string } } | undefined)?.target?.applicationInstance;
    return target && obj.metadata?.namespace ? [`${obj.metadata.namespace}/${target}`] : [];
  });
  if (applications) {
    addIndexOnce(applications, applicationInstanceIndex, obj => {
      const labels = obj.metadata?.labels;
      if (labels?.['app.kubernetes.io/managed-by'] !== managedByValue) return [];
      const name = labels[instanceLabel];
      const namespace = labels[instanceNamespaceLabel];
      return name && namespace ? [`${namespace}/${name}`] : [];
    });
  }

  const sourceUsers = (obj: KubeObject): Request[] => {
    const namespace = obj.metadata?.namespace;
    if (!namespace) return [];
    const names = new Set(instances.indexKeys(fluxSourceIndex, `${namespace}/${obj.kind}/${obj.metadata?.name}`).map(k => k.slice(namespace.length + 1)));
    for (const ref of obj.metadata?.ownerReferences ?? []) if (ref.kind === instanceKind) names.add(ref.name);
    return [...names].map(name => ({ namespace, name }));
  };

  const reconciler = new ApplicationInstanceReconciler({
    client: manager.client,
    caches: { instances, helmReleases, helmRepositories, ociRepositories, operations, applications },
    argocd: { ...options.argocd, namespace: argoNamespace },
    now: options.now,
  });

  let builder = manager
    .controller(applicationInstanceControllerName)
    .for(instanceKinds.ApplicationInstance, { updatePredicate: generationChanged })
    .owns(instanceKinds.HelmRelease)
    .watches(instanceKinds.HelmRepository, sourceUsers, { updatePredicate: metadataOrSpecChanged })
    .watches(instanceKinds.OCIRepository, sourceUsers, { updatePredicate: metadataOrSpecChanged })
    .watches<KubeObject>(
      instanceKinds.Operation,
      op => {
        const target = (op.spec as { target?: { applicationInstance?: string } } | undefined)?.target?.applicationInstance;
        return target ? [{ namespace: op.metadata?.namespace, name: target }] : [];
      },
      { updatePredicate: phaseChanged },
    );
  if (applications) {
    builder = builder.watches<KubeObject>(instanceKinds.Application, app => {
      const labels = app.metadata?.labels;
      const name = labels?.[instanceLabel];
      const namespace = labels?.[instanceNamespaceLabel];
      return name && namespace && labels?.['app.kubernetes.io/managed-by'] === managedByValue ? [{ namespace, name }] : [];
    });
  }
  if (options.concurrency) builder = builder.withOptions({ concurrency: options.concurrency });
  builder.complete(reconciler);
  return reconciler;
}
