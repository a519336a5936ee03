import { StatusError } from '../../server/StatusError';
import type { GroupVersionResource, KubeObject } from '../../types';
import { EventRecorder, IntentFilter, SimController, nowRfc3339 } from '../runtime';
import type { ObjectKey, ReconcileResult, ReconcileTrigger, SimControllerOptions } from '../runtime';
import type { ChartCatalog, ChartFixture, ChartVersionFixture, RenderedChart } from '../charts';

/** @public */
export const APPLICATIONS: GroupVersionResource = { group: 'argoproj.io', version: 'v1alpha1', resource: 'applications' };
/** Argo CD deletes an Application's resources before the Application when this finalizer is set. @public */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

const GVR_BY_KIND: Record<string, GroupVersionResource> = {
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps' },
  Secret: { group: '', version: 'v1', resource: 'secrets' },
  PersistentVolumeClaim: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  ServiceAccount: { group: '', version: 'v1', resource: 'serviceaccounts' },
};

/** Argo CD's default app resync period (`timeout.reconciliation`). */
const RESYNC_MS = 180_000;
const SYNC_MS = 3000;

interface HelmSource {
  repoURL: string;
  chart?: string;
  targetRevision?: string;
  helm?: { releaseName?: string; valuesObject?: Record<string, unknown>; values?: string };
}

interface ApplicationSpec {
  source?: HelmSource;
  destination: { server?: string; name?: string; namespace?: string };
  project: string;
  syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean } };
}

interface SyncOperation {
  sync?: { revision?: string; prune?: boolean };
  initiatedBy?: { username?: string; automated?: boolean };
  retry?: unknown;
}

interface ApplicationStatus {
  operationState?: {
    operation: SyncOperation;
    phase: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating';
    message?: string;
    startedAt: string;
    finishedAt?: string;
    syncResult?: { revision: string; source?: HelmSource; resources?: unknown[] };
  };
  history?: Array<{ id: number; revision: string; deployedAt: string; deployStartedAt?: string; source?: HelmSource; initiatedBy?: SyncOperation['initiatedBy'] }>;
  conditions?: Array<{ type: string; message: string; lastTransitionTime?: string }>;
  [key: string]: unknown;
}

const clean = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const delay = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Plays the Argo CD application controller for `argoproj.io/v1alpha1`
 * Applications with a Helm chart source (`repoURL` + `chart` + `targetRevision`,
 * a classic repository URL or an OCI registry path). It renders the chart from
 * the catalog, compares it with the live objects (`status.sync`, `status.resources`),
 * assesses health (`status.health`), and syncs: automatically with
 * `syncPolicy.automated` (once per revision, as Argo CD does without retry), or when a
 * user sets `operation.sync`. Syncs write `status.operationState` (Running, then
 * Succeeded or Failed), `status.history` and the objects (with Argo CD's
 * `argocd.argoproj.io/tracking-id` annotation; no Helm release Secret). A chart version
 * the fixture marks as failing fails the sync and leaves the app Degraded; an unknown
 * chart or version gives a ComparisonError and sync status Unknown.
 * @public
 */
export class ApplicationController extends SimController {
  readonly name = 'argocd-application-controller';
  protected readonly primary = APPLICATIONS;
  private readonly catalog: ChartCatalog;
  private readonly events: EventRecorder;
  // Applications have no status subresource: their generation moves with status writes too.
  private readonly intent = new IntentFilter(app => [app.spec, app.operation, app.metadata.deletionTimestamp, app.metadata.finalizers]);

  /** The namespace Argo CD is installed in (`argocd`), created at start as an install would. */
  readonly namespace: string;
  private setup?: Promise<void>;
  private readonly reportSetupError: (error: unknown) => void;

  constructor(options: SimControllerOptions & { catalog: ChartCatalog; namespace?: string }) {
    super(options);
    this.catalog = options.catalog;
    this.namespace = options.namespace ?? 'argocd';
    this.reportSetupError = error => options.onError?.(this.name, { name: this.namespace }, error);
    this.events = new EventRecorder(this.api, this.name);
  }

  start(): this {
    // Argo CD's install manifests run in their own namespace, where Applications live: a
    // cluster with Argo CD has it, as a cluster with Velero has `velero`.
    this.setup ??= this.ensureNamespace().catch(error => this.reportSetupError(error));
    return super.start();
  }

  async whenIdle(): Promise<void> {
    await this.setup;
    await super.whenIdle();
  }

  private async ensureNamespace(): Promise<void> {
    try {
      await this.api.create({ group: '', version: 'v1', resource: 'namespaces' },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } }, { fieldManager: this.name });
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 409)) throw error;
    }
  }

  protected async reconcile(key: ObjectKey, app: KubeObject | undefined, trigger: ReconcileTrigger): Promise<ReconcileResult> {
    if (!app) {
      this.intent.forget(key);
      return undefined;
    }
    // A pass the controller asked for (interval, waiting on hooks) runs whatever its intent;
    // one its own status write triggered does not.
    if (trigger.requeued) this.intent.force(key);
    if (!this.intent.admit(key, app)) return undefined;
    return this.reconcileIntent(app);
  }

  private async reconcileIntent(found: KubeObject): Promise<ReconcileResult> {
    let app = found;
    const spec = app.spec as ApplicationSpec;
    const status = structuredClone((app.status ?? {}) as ApplicationStatus);
    const source = spec.source;
    const namespace = spec.destination.namespace ?? app.metadata.namespace!;
    const resolved = source ? this.resolve(source) : undefined;
    let rendered: RenderedChart | undefined;
    if (resolved && 'chart' in resolved) {
      rendered = this.catalog.render(resolved.chart, resolved.version, { name: source!.helm?.releaseName ?? app.metadata.name!, namespace, values: source!.helm?.valuesObject });
    }

    if (app.metadata.deletionTimestamp) {
      if (!(app.metadata.finalizers ?? []).includes(RESOURCES_FINALIZER)) return undefined;
      for (const o of rendered?.objects ?? []) {
        await this.api.delete(GVR_BY_KIND[o.kind], o.metadata.name!, { namespace: o.metadata.namespace }).catch(ignoreNotFound);
      }
      await this.api.patch(APPLICATIONS, app.metadata.name!, { metadata: { finalizers: (app.metadata.finalizers ?? []).filter(f => f !== RESOURCES_FINALIZER) } },
        { type: 'merge', namespace: app.metadata.namespace, fieldManager: this.name });
      return undefined;
    }

    const now = nowRfc3339();
    status.reconciledAt = now;
    status.sourceType = 'Helm';
    status.controllerNamespace = this.namespace;
    if (!rendered) {
      const message = `Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = ${resolved && 'error' in resolved ? resolved.error : 'no Helm chart source'}`;
      status.conditions = [{ type: 'ComparisonError', message, lastTransitionTime: now }];
      status.sync = { status: 'Unknown', comparedTo: { source, destination: spec.destination } };
      status.health = { status: 'Unknown' };
      await this.writeStatus(app, status);
      return { requeueAfterMs: Math.max(this.duration(RESYNC_MS), 1000) };
    }
    delete status.conditions;
    const revision = rendered.version.version;

    const operation = (app.operation as SyncOperation | undefined)
      ?? (this.mustAutoSync(spec, status, rendered) ? { sync: { revision }, initiatedBy: { automated: true } } : undefined);
    if (operation) {
      app = await this.sync(app, status, operation, rendered, source!);
    }
    this.assess(status, rendered, source!, spec);
    await this.writeStatus(app, status);
    const resync = this.duration(RESYNC_MS);
    return resync > 0 ? { requeueAfterMs: resync } : undefined;
  }

  private resolve(source: HelmSource): { chart: ChartFixture; version: ChartVersionFixture } | { error: string } {
    const chartName = source.chart ?? '';
    const repoUrl = source.repoURL;
    const ociUrl = `oci://${repoUrl.replace(/^oci:\/\//, '').replace(/\/+$/, '')}/${chartName}`;
    const chart = this.catalog.chart(chartName, repoUrl) ?? this.catalog.chart(chartName, ociUrl);
    if (!chart) {
      return { error: `failed to fetch chart: failed to pull chart ${chartName}: looks like "${repoUrl}" is not a valid chart repository or cannot be reached: failed to fetch ${repoUrl.replace(/\/+$/, '')}/index.yaml : 404 Not Found` };
    }
    const version = this.catalog.resolveVersion(chart, source.targetRevision ?? '*');
    if (!version) return { error: `failed to fetch chart: chart "${chartName}" version "${source.targetRevision}" not found in ${repoUrl} repository` };
    return { chart, version };
  }

  private mustAutoSync(spec: ApplicationSpec, status: ApplicationStatus, rendered: RenderedChart): boolean {
    const automated = spec.syncPolicy?.automated;
    if (!automated || automated.enabled === false) return false;
    const last = status.operationState;
    // Argo CD does not auto-sync the same revision again after a failed attempt.
    if (last?.syncResult?.revision === rendered.version.version && last.operation.initiatedBy?.automated) {
      return last.phase !== 'Failed' && last.phase !== 'Error' && this.outOfSync(rendered) && !!automated.selfHeal;
    }
    return last?.syncResult?.revision !== rendered.version.version || this.outOfSync(rendered);
  }

  private outOfSync(rendered: RenderedChart): boolean {
    return rendered.objects.some(o => this.liveState(o) !== 'Synced');
  }

  private liveState(object: KubeObject): 'Synced' | 'OutOfSync' {
    try {
      const live = this.api.get(GVR_BY_KIND[object.kind], object.metadata.name!, { namespace: object.metadata.namespace });
      return live.metadata.labels?.['helm.sh/chart'] === object.metadata.labels?.['helm.sh/chart']
        && JSON.stringify(live.data ?? null) === JSON.stringify(object.data ?? null) ? 'Synced' : 'OutOfSync';
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return 'OutOfSync';
      throw error;
    }
  }

  private async sync(found: KubeObject, status: ApplicationStatus, operation: SyncOperation, rendered: RenderedChart, source: HelmSource): Promise<KubeObject> {
    let app = found;
    const startedAt = nowRfc3339();
    const revision = rendered.version.version;
    const firstSync = !(status.history ?? []).length;
    status.operationState = { operation, phase: 'Running', message: 'one or more tasks are running', startedAt };
    app = await this.writeStatus(app, status);
    await this.events.record(app, 'Normal', 'OperationStarted', `Initiated ${operation.initiatedBy?.automated ? 'automated ' : ''}sync to ${revision}`);
    await delay(this.duration(SYNC_MS));
    const appName = app.metadata.name!;
    const results: unknown[] = [];
    for (const object of rendered.objects) {
      const body = structuredClone(object);
      const group = GVR_BY_KIND[body.kind].group;
      body.metadata.annotations = {
        ...(body.metadata.annotations ?? {}),
        'argocd.argoproj.io/tracking-id': `${appName}:${group}/${body.kind}:${body.metadata.namespace}/${body.metadata.name}`,
      };
      await this.api.patch(GVR_BY_KIND[body.kind], body.metadata.name!, body, { type: 'apply', namespace: body.metadata.namespace, fieldManager: 'argocd-controller', force: true });
      results.push({ group, version: body.apiVersion.split('/').at(-1), kind: body.kind, namespace: body.metadata.namespace, name: body.metadata.name,
        status: 'Synced', message: `${body.kind.toLowerCase()}/${body.metadata.name} ${firstSync ? 'created' : 'configured'}`, hookPhase: 'Running', syncPhase: 'Sync' });
    }
    const error = (firstSync ? rendered.fail.install : rendered.fail.upgrade)
      ?? (rendered.fail.hook && !firstSync ? `job ${rendered.fail.hook} failed: BackoffLimitExceeded` : undefined);
    const finishedAt = nowRfc3339();
    const syncResult = { revision, source, resources: results };
    if (error) {
      const message = `one or more objects failed to apply, reason: ${error}`;
      status.operationState = { operation, phase: 'Failed', message, startedAt, finishedAt, syncResult };
      await this.events.record(app, 'Warning', 'OperationCompleted', `Sync operation to ${revision} failed: ${message}`);
    } else {
      status.operationState = { operation, phase: 'Succeeded', message: 'successfully synced (all tasks run)', startedAt, finishedAt, syncResult };
      const history = status.history ?? [];
      history.push({ id: (history.at(-1)?.id ?? -1) + 1, revision, deployedAt: finishedAt, deployStartedAt: startedAt, source, initiatedBy: operation.initiatedBy });
      status.history = history.slice(-10);
      await this.events.record(app, 'Normal', 'OperationCompleted', `Sync operation to ${revision} succeeded`);
    }
    if (app.operation) {
      app = await this.api.patch(APPLICATIONS, appName, [{ op: 'remove', path: '/operation' }], { type: 'json', namespace: app.metadata.namespace, fieldManager: this.name });
    }
    return app;
  }

  /** Sync status, health, resources and summary for the current live state. */
  private assess(status: ApplicationStatus, rendered: RenderedChart, source: HelmSource, spec: ApplicationSpec): void {
    const revision = rendered.version.version;
    const failed = status.operationState?.phase === 'Failed' && status.operationState.syncResult?.revision === revision;
    const resources = rendered.objects.map(o => {
      const state = this.liveState(o);
      const present = state === 'Synced' || this.exists(o);
      let health: { status: string } | undefined;
      if (o.kind === 'PersistentVolumeClaim') health = { status: (present && failed && 'Degraded') || (present && 'Healthy') || 'Missing' };
      return clean({ version: 'v1', kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, status: state, health });
    });
    const synced = resources.every(r => r.status === 'Synced');
    const missing = resources.every(r => !this.exists({ kind: r.kind, metadata: { name: r.name, namespace: r.namespace } } as KubeObject));
    status.sync = { status: synced ? 'Synced' : 'OutOfSync', revision, comparedTo: { source, destination: spec.destination } };
    if (failed) status.health = { status: 'Degraded', message: status.operationState?.message };
    else if (missing) status.health = { status: 'Missing' };
    else status.health = { status: 'Healthy' };
    status.resources = resources;
    status.summary = { images: [...rendered.version.images].sort() };
  }

  private exists(object: KubeObject): boolean {
    try {
      this.api.get(GVR_BY_KIND[object.kind], object.metadata.name!, { namespace: object.metadata.namespace });
      return true;
    } catch {
      return false;
    }
  }

  private writeStatus(app: KubeObject, status: ApplicationStatus): Promise<KubeObject> {
    return this.api.patch(APPLICATIONS, app.metadata.name!, [{ op: 'add', path: '/status', value: clean(status) }],
      { type: 'json', namespace: app.metadata.namespace, fieldManager: this.name });
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof StatusError && error.code === 404)) throw error;
}
