import type { SimCluster } from '../cluster/SimCluster';
import { ApplicationController } from './argocd';
import { ChartCatalog } from './charts';
import { HelmChartController, HelmReleaseController, HelmRepositoryController, OCIRepositoryController } from './flux';
import { JobController } from './jobs';
import type { SimController, SimControllerOptions } from './runtime';
import { SnapshotController } from './snapshots';
import { VeleroController } from './velero';
import { ReplicationSourceController } from './volsync';
import { WorkflowController } from './workflows';

/** Which simulated controllers to run. Every flag defaults to false. @public */
export interface StartControllersOptions {
  /** Flux source-controller (HelmRepository, OCIRepository, HelmChart) and helm-controller (HelmRelease). */
  flux?: boolean;
  /** Argo CD application controller (Application with a Helm chart source). */
  argocd?: boolean;
  /** Velero server (Backup, Restore) in the `velero` namespace. */
  velero?: boolean;
  /** Argo Workflows workflow-controller (Workflow from a WorkflowTemplate). */
  workflows?: boolean;
  /** kube-controller-manager's Job controller (also runs Helm hook Jobs to completion). */
  jobs?: boolean;
  /** CSI external-snapshotter and snapshot-controller (VolumeSnapshot, VolumeSnapshotContent). */
  snapshots?: boolean;
  /** VolSync (ReplicationSource manual and scheduled triggers). */
  volsync?: boolean;
  /** Multiplier of every nominal duration: 0 in tests, 1 for the demo (default 1). */
  timeScale?: number;
  /** Chart catalog Flux and Argo CD install from; default the fixtures in `packages/kube-sim/charts/`. */
  charts?: ChartCatalog;
  /** Receives errors a reconcile could not recover from. */
  onError?: SimControllerOptions['onError'];
}

/** @public */
export interface SimControllersHandle {
  /** The running controllers. */
  controllers: SimController[];
  /** Resolves once no controller has a reconcile running or due now. */
  whenIdle(): Promise<void>;
  stop(): void;
}

/**
 * Starts the simulated controllers a demo or test asks for against one cluster.
 * @public
 */
export function startControllers(cluster: SimCluster, options: StartControllersOptions = {}): SimControllersHandle {
  const base: SimControllerOptions = { api: cluster.api, timings: { timeScale: options.timeScale ?? 1 }, onError: options.onError };
  const controllers: SimController[] = [];
  const needsCatalog = options.flux || options.argocd;
  const catalog = needsCatalog ? options.charts ?? ChartCatalog.load() : undefined;
  if (options.flux) {
    controllers.push(
      new HelmRepositoryController({ ...base, catalog: catalog! }),
      new OCIRepositoryController({ ...base, catalog: catalog! }),
      new HelmChartController({ ...base, catalog: catalog! }),
      new HelmReleaseController({ ...base, catalog: catalog!, jobsSimulated: !!options.jobs }),
    );
  }
  if (options.argocd) controllers.push(new ApplicationController({ ...base, catalog: catalog! }));
  if (options.jobs) controllers.push(new JobController(base));
  // VeleroController starts its Restore controller itself.
  if (options.velero) controllers.push(new VeleroController(base));
  if (options.snapshots) controllers.push(new SnapshotController(base));
  if (options.workflows) controllers.push(new WorkflowController(base));
  if (options.volsync) controllers.push(new ReplicationSourceController(base));
  for (const c of controllers) c.start();
  return {
    controllers,
    async whenIdle() {
      // One controller's pass can wake another (a HelmChart becoming Ready wakes its HelmRelease): settle until quiet.
      const all = controllers.flatMap(c => (c instanceof VeleroController ? [c, c.restores] : [c]));
      for (let round = 0; round < 3; round++) {
        await Promise.all(all.map(c => c.whenIdle()));
        await new Promise(resolve => setImmediate(resolve));
      }
    },
    stop() {
      for (const c of controllers) {
        c.stop();
        if (c instanceof VeleroController) c.restores.stop();
      }
    },
  };
}
