import { generationChanged, KubeObject, Manager, Request, UpdatePredicate } from '@vworkspace/kube-runtime';
import { operationsByTarget } from '../operationTargetIndex';
import { applicationInstanceIndex, ApplicationInstanceReconciler, fluxSourceIndex, ownerUidIndex } from './ApplicationInstanceReconciler';
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
  /**
   * How long an instance may make no progress for one generation before it says Stalled
   * (reason `ProgressDeadlineExceeded`). Default 15 minutes; 0 for no deadline.
   */
  progressDeadlineMs?: number;
}

/** Name of the controller in logs and metrics. @public */
export const applicationInstanceControllerName = 'applicationinstance';

const instanceKind = instanceKinds.ApplicationInstance.kind;

/** The conditions of a source that its users' status reports (a failing fetch, a stall). */
function healthOf(obj: KubeObject): unknown {
  const conditions = (obj.status as { conditions?: Array<{ type: string }> } | undefined)?.conditions ?? [];
  return conditions.filter(c => c.type === 'Ready' || c.type === 'Stalled');
}

/**
 * A change that matters for a source: anything but its status, and of its status only its
 * health, which the instances using it report (not the artifact times it rewrites on every
 * interval).
 */
const metadataSpecOrHealthChanged: UpdatePredicate = (oldObj, newObj) =>
  generationChanged(oldObj, newObj) ||
  !jsonEqual(oldObj.metadata?.ownerReferences, newObj.metadata?.ownerReferences) ||
  !jsonEqual(oldObj.metadata?.labels, newObj.metadata?.labels) ||
  !jsonEqual(oldObj.metadata?.annotations, newObj.metadata?.annotations) ||
  !jsonEqual(healthOf(oldObj), healthOf(newObj));

/** Only an Operation's phase matters here (for `lastBackup`). */
const phaseChanged: UpdatePredicate = (oldObj, newObj) =>
  (oldObj.status as { phase?: string } | undefined)?.phase !== (newObj.status as { phase?: string } | undefined)?.phase;

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
  const operations = operationsByTarget(manager);
  const applications = cacheApplications ? manager.getInformer(instanceKinds.Application).store : undefined;

  instances.addIndex(fluxSourceIndex, obj => {
    if (obj.metadata?.deletionTimestamp) return [];
    const v = validateInstance(obj);
    if (!v.valid || v.instance.spec.engine !== 'flux') return [];
    const chart = v.instance.spec.chart;
    return [`${v.instance.ref.namespace}/${fluxSourceKind(chart)}/${fluxSourceName(chart)}`];
  });
  const ownerUids = (obj: KubeObject) =>
    (obj.metadata?.ownerReferences ?? []).filter(r => r.kind === instanceKind).map(r => r.uid);
  helmRepositories.addIndex(ownerUidIndex, ownerUids);
  ociRepositories.addIndex(ownerUidIndex, ownerUids);
  if (applications) {
    applications.addIndex(applicationInstanceIndex, obj => {
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
    progressDeadlineMs: options.progressDeadlineMs,
  });

  let builder = manager
    .controller(applicationInstanceControllerName)
    .for(instanceKinds.ApplicationInstance, { updatePredicate: generationChanged })
    .owns(instanceKinds.HelmRelease)
    .watches(instanceKinds.HelmRepository, sourceUsers, { updatePredicate: metadataSpecOrHealthChanged })
    .watches(instanceKinds.OCIRepository, sourceUsers, { updatePredicate: metadataSpecOrHealthChanged })
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
