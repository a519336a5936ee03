import { StatusError } from '../../server/StatusError';
import type { GroupVersionResource, KubeObject } from '../../types';
import { EventRecorder, IntentFilter, SimController, findCondition, nowRfc3339, removeCondition, setCondition } from '../runtime';
import type { Condition, ObjectKey, ReconcileResult, ReconcileTrigger, SimControllerOptions } from '../runtime';
import type { ChartCatalog, RenderedChart, RenderedHook } from '../charts';
import {
  CONFIGMAPS, FLUX_FINALIZER, FluxStatus, HELM_CHARTS, HELM_RELEASES, HELM_REPOSITORIES, JOBS, OCI_REPOSITORIES, SECRETS,
  clean, fluxSpec, formatGoDuration, handleReconcileRequest, parseGoDuration,
} from './fluxApi';
import { HelmHookRecord, HelmReleaseRecord, HelmReleaseStatus, HelmReleaseStorage, canonicalJson, digestOf } from './helmReleaseStorage';
import { delay } from './SourceController';

/** @public */
export interface HelmReleaseControllerOptions extends SimControllerOptions {
  catalog: ChartCatalog;
  /**
   * Whether a Job controller runs in the cluster: hook Jobs are then waited for
   * until Complete or Failed. Without one, hooks finish as their chart fixture says.
   */
  jobsSimulated?: boolean;
}

interface Remediation {
  retries?: number;
  remediateLastFailure?: boolean;
  strategy?: 'rollback' | 'uninstall';
  ignoreTestFailures?: boolean;
}

interface HelmReleaseSpec {
  chart?: { spec: { chart: string; version?: string; sourceRef: { kind: string; name: string; namespace?: string }; interval?: string; reconcileStrategy?: string; valuesFiles?: string[] } };
  chartRef?: { kind: string; name: string; namespace?: string };
  interval?: string;
  timeout?: string;
  suspend?: boolean;
  releaseName?: string;
  targetNamespace?: string;
  storageNamespace?: string;
  values?: Record<string, unknown>;
  valuesFrom?: Array<{ kind: 'ConfigMap' | 'Secret'; name: string; valuesKey?: string; targetPath?: string; optional?: boolean }>;
  install?: { timeout?: string; remediation?: Remediation };
  upgrade?: { timeout?: string; remediation?: Remediation };
  test?: { enable?: boolean; ignoreFailures?: boolean; timeout?: string };
  rollback?: { timeout?: string };
  uninstall?: { timeout?: string; keepHistory?: boolean };
}

interface TestHookStatus {
  lastStarted?: string;
  lastCompleted?: string;
  phase?: string;
}

/** A `status.history` entry. */
interface Snapshot {
  digest: string;
  name: string;
  namespace: string;
  version: number;
  status: HelmReleaseStatus;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  configDigest: string;
  firstDeployed: string;
  lastDeployed: string;
  deleted?: string;
  testHooks?: Record<string, TestHookStatus>;
}

interface HelmReleaseStatusFields extends FluxStatus {
  conditions: Condition[];
  history?: Snapshot[];
  failures?: number;
  installFailures?: number;
  upgradeFailures?: number;
  helmChart?: string;
  storageNamespace?: string;
  lastAttemptedRevision?: string;
  lastAttemptedRevisionDigest?: string;
  lastAttemptedConfigDigest?: string;
  lastAttemptedGeneration?: number;
  lastAttemptedReleaseAction?: 'install' | 'upgrade';
  lastAttemptedReleaseActionDuration?: string;
}

/** Everything one reconcile pass works with. */
interface Pass {
  hr: KubeObject;
  spec: HelmReleaseSpec;
  status: HelmReleaseStatusFields;
  generation: number;
  rendered: RenderedChart;
  values: Record<string, unknown>;
  configDigest: string;
  releaseName: string;
  releaseNamespace: string;
  storage: HelmReleaseStorage;
}

type ActionType = 'release' | 'test' | 'remediate';
type State = 'InSync' | 'Absent' | 'Unmanaged' | 'OutOfSync' | 'Untested' | 'Failed';
interface Action {
  name: 'install' | 'upgrade' | 'test' | 'rollback' | 'uninstall';
  type: ActionType;
  run: (pass: Pass) => Promise<void>;
}

class StallError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

const GVR_BY_KIND: Record<string, GroupVersionResource> = {
  ConfigMap: CONFIGMAPS,
  Secret: SECRETS,
  PersistentVolumeClaim: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  ServiceAccount: { group: '', version: 'v1', resource: 'serviceaccounts' },
  Job: JOBS,
};

/** Nominal durations of Helm actions on a small cluster. */
const ACTION_MS = { install: 4000, upgrade: 3000, rollback: 2000, uninstall: 1500, test: 1000 };
const FAIL_EXIT_CODE = 'sim.vworkspace.io/exit-code';

const toRfc3339 = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');
const fullReleaseName = (s: Snapshot) => `${s.namespace}/${s.name}.v${s.version}`;
const versionedChartName = (s: Snapshot) => `${s.chartName}@${s.chartVersion}`;

/**
 * Plays Flux helm-controller for `helm.toolkit.fluxcd.io/v2` HelmRelease, after
 * its atomic release loop: it creates the HelmChart `<namespace>-<name>` for
 * `spec.chart` (or reads `spec.chartRef` OCIRepository), then installs,
 * upgrades, tests and remediates (rollback or uninstall, with `retries` and
 * `remediateLastFailure`) until the release is in sync or retries are exhausted
 * (Stalled, reason `RetriesExceeded`). Conditions, reasons, messages, events,
 * `status.history` and the failure counters are those of helm-controller v1;
 * `observedGeneration` advances only when a pass ends in sync, stalled or suspended.
 *
 * Releases are stored as Helm stores them: Secrets `sh.helm.release.v1.<release>.v<n>`,
 * with the chart fixture's hooks. Hooks run as Jobs (`pre-upgrade` migrations, `test`
 * hooks when `spec.test.enable`) and are deleted per their delete policy. Charts fail as
 * their fixture marks them (`fail.install`, `fail.upgrade`, `fail.hook`, `fail.test`); a
 * failing hook Job is created with the `sim.vworkspace.io/exit-code: "1"` pod annotation so
 * the simulated Job controller fails it.
 * @public
 */
export class HelmReleaseController extends SimController {
  readonly name = 'helm-controller';
  protected readonly primary = HELM_RELEASES;
  protected readonly secondaries: GroupVersionResource[] = [HELM_CHARTS, OCI_REPOSITORIES];
  private readonly catalog: ChartCatalog;
  private readonly jobsSimulated: boolean;
  private readonly events: EventRecorder;
  private readonly intent = new IntentFilter(hr => [
    hr.spec, hr.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'], hr.metadata.deletionTimestamp, hr.metadata.finalizers,
  ]);

  constructor(options: HelmReleaseControllerOptions) {
    super(options);
    this.catalog = options.catalog;
    this.jobsSimulated = options.jobsSimulated ?? false;
    this.events = new EventRecorder(this.api, this.name);
  }

  /** HelmReleases by the OCIRepository their chartRef names (`<ns>/<name>`), to wake them in O(1). */
  private readonly ociUsers = new Map<string, Map<string, ObjectKey>>();

  protected mapSecondary(gvr: GroupVersionResource, source: KubeObject): ObjectKey[] {
    let keys: ObjectKey[] = [];
    if (gvr.resource === 'helmcharts') {
      // helm-controller labels the HelmChart it creates with its HelmRelease.
      const labels = source.metadata.labels ?? {};
      const name = labels['helm.toolkit.fluxcd.io/name'];
      const namespace = labels['helm.toolkit.fluxcd.io/namespace'];
      if (name && namespace) keys = [{ namespace, name }];
    } else {
      const users = this.ociUsers.get(`${source.metadata.namespace}/${source.metadata.name}`);
      keys = users ? [...users.values()] : [];
    }
    for (const key of keys) this.intent.force(key);
    return keys;
  }

  /** Keeps {@link HelmReleaseController.ociUsers} in step with the HelmRelease's chartRef. */
  private trackOciSource(key: ObjectKey, hr: KubeObject | undefined): void {
    const id = `${key.namespace ?? ''}/${key.name}`;
    for (const users of this.ociUsers.values()) users.delete(id);
    const chartRef = hr ? (fluxSpec(hr) as HelmReleaseSpec).chartRef : undefined;
    if (chartRef?.kind !== 'OCIRepository') return;
    const sourceId = `${chartRef.namespace ?? key.namespace}/${chartRef.name}`;
    const users = this.ociUsers.get(sourceId) ?? new Map<string, ObjectKey>();
    users.set(id, key);
    this.ociUsers.set(sourceId, users);
  }

  protected async reconcile(key: ObjectKey, hr: KubeObject | undefined, trigger: ReconcileTrigger): Promise<ReconcileResult> {
    this.trackOciSource(key, hr);
    if (!hr) {
      this.intent.forget(key);
      return undefined;
    }
    // A pass the controller asked for (interval, waiting on hooks) runs whatever its intent;
    // one its own status write triggered does not.
    if (trigger.requeued) this.intent.force(key);
    if (!this.intent.admit(key, hr)) return undefined;
    return this.reconcileIntent(hr);
  }

  private async reconcileIntent(found: KubeObject): Promise<ReconcileResult> {
    let hr = found;
    if (hr.metadata.deletionTimestamp) return this.reconcileDelete(hr);
    const finalizers = hr.metadata.finalizers ?? [];
    if (!finalizers.includes(FLUX_FINALIZER)) {
      await this.api.update(HELM_RELEASES, { ...hr, metadata: { ...hr.metadata, finalizers: [...finalizers, FLUX_FINALIZER] } }, { fieldManager: this.name });
      return undefined;
    }
    const spec = fluxSpec(hr) as HelmReleaseSpec;
    const status = structuredClone((hr.status ?? {}) as HelmReleaseStatusFields);
    status.conditions ??= [];
    const generation = hr.metadata.generation ?? 1;
    handleReconcileRequest(hr, status);
    const interval = this.duration(parseGoDuration(spec.interval, 10 * 60_000));
    const requeue = interval > 0 ? { requeueAfterMs: interval } : undefined;

    if (spec.suspend) {
      status.observedGeneration = generation;
      await this.writeStatus(hr, status);
      return undefined;
    }
    if (spec.chart) status.helmChart = await this.reconcileChartTemplate(hr, spec);

    // Marking Reconciling clears Stalled: a new pass may find the way out.
    removeCondition(status.conditions, 'Stalled');
    setCondition(status.conditions, { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Fulfilling prerequisites', observedGeneration: generation }, nowRfc3339());
    hr = await this.writeStatus(hr, status);

    const source = this.loadChart(hr, spec);
    const now = nowRfc3339();
    if ('error' in source) {
      setCondition(status.conditions, { type: 'Ready', status: 'False', reason: source.reason, message: source.error, observedGeneration: generation }, now);
      await this.writeStatus(hr, status);
      if (source.reason === 'ArtifactFailed') await this.events.record(hr, 'Warning', source.reason, source.error);
      return source.reason === 'SourceNotReady' ? undefined : { requeueAfterMs: Math.max(this.duration(10_000), 100) };
    }
    if (findCondition(status.conditions, 'Ready')?.reason === 'SourceNotReady' || findCondition(status.conditions, 'Ready')?.reason === 'ArtifactFailed') {
      setCondition(status.conditions, { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'reconciliation in progress', observedGeneration: generation }, now);
    }

    const releaseNamespace = spec.targetNamespace ?? hr.metadata.namespace!;
    const releaseName = spec.releaseName ?? (spec.targetNamespace ? `${spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name!);
    const values = spec.values ?? {};
    const rendered = this.catalog.render(source.chart, source.version, { name: releaseName, namespace: releaseNamespace, values });
    const configDigest = digestOf(canonicalJson(values));
    status.storageNamespace = spec.storageNamespace ?? releaseNamespace;
    if (status.lastAttemptedRevision !== source.version.version || status.lastAttemptedConfigDigest !== configDigest) {
      delete status.failures;
      delete status.installFailures;
      delete status.upgradeFailures;
    }
    status.lastAttemptedGeneration = generation;
    status.lastAttemptedRevision = source.version.version;
    status.lastAttemptedConfigDigest = configDigest;
    if (source.ociDigest) status.lastAttemptedRevisionDigest = source.ociDigest;

    const pass: Pass = {
      hr, spec, status, generation, rendered, values, configDigest, releaseName, releaseNamespace,
      storage: new HelmReleaseStorage(this.api, status.storageNamespace, this.name),
    };
    return this.atomicRelease(pass, requeue);
  }

  /** The atomic release loop: state → action → remediation policy, patching status around each action. */
  private async atomicRelease(pass: Pass, requeue: ReconcileResult): Promise<ReconcileResult> {
    const { status, generation } = pass;
    const done = new Set<ActionType>();
    const retryResult = { requeueAfterMs: Math.max(this.duration(1000), 1) };
    for (;;) {
      let next: Action | undefined;
      try {
        next = this.actionForState(pass, this.releaseState(pass));
      } catch (error) {
        if (!(error instanceof StallError)) throw error;
        this.markStalled(pass, error.reason, error.message);
        status.observedGeneration = generation;
        await this.write(pass);
        return undefined;
      }
      if (!next) {
        removeCondition(status.conditions, 'Reconciling');
        this.summarize(pass);
        status.observedGeneration = generation;
        await this.write(pass);
        return requeue;
      }
      if (done.has(next.type)) {
        if (!this.retriesExhausted(pass)) {
          this.markRetrying(pass);
          await this.write(pass);
          return retryResult;
        }
        removeCondition(status.conditions, 'Reconciling');
        status.observedGeneration = generation;
        await this.write(pass);
        return requeue;
      }
      const timeout = formatGoDuration(this.timeoutFor(pass.spec, next.name));
      const message = `Running '${next.name}' action with timeout of ${timeout}`;
      const now = nowRfc3339();
      removeCondition(status.conditions, 'Stalled');
      setCondition(status.conditions, { type: 'Reconciling', status: 'True', reason: 'Progressing', message, observedGeneration: generation }, now);
      if (next.type === 'release') {
        setCondition(status.conditions, { type: 'Ready', status: 'Unknown', reason: 'Progressing', message, observedGeneration: generation }, now);
      }
      await this.write(pass);
      const started = Date.now();
      await delay(this.duration(ACTION_MS[next.name]));
      await next.run(pass);
      if (next.type === 'release') status.lastAttemptedReleaseActionDuration = `${((Date.now() - started) / 1000).toFixed(9).replace(/0+$/, '').replace(/\.$/, '')}s`;
      this.summarize(pass);
      if (next.type === 'remediate') {
        if (!this.retriesExhausted(pass)) {
          this.markRetrying(pass);
          await this.write(pass);
          return retryResult;
        }
        this.markStalled(pass, 'RetriesExceeded', `Failed to ${status.lastAttemptedReleaseAction} after ${this.failureCount(pass)} attempt(s)`);
        status.observedGeneration = generation;
        await this.write(pass);
        return undefined;
      }
      done.add(next.type);
      await this.write(pass);
    }
  }

  private releaseState(pass: Pass): State {
    const latest = pass.storage.latest(pass.releaseName);
    if (!latest || latest.info.status === 'uninstalled') return 'Absent';
    if (latest.info.status !== 'deployed') return 'Failed';
    const current = pass.status.history?.[0];
    if (!current || current.version !== latest.version) return 'Unmanaged';
    if (latest.chart.metadata.version !== pass.rendered.version.version || digestOf(canonicalJson(latest.config)) !== pass.configDigest) return 'OutOfSync';
    if (pass.spec.test?.enable) {
      if (!current.testHooks) return 'Untested';
      const failed = Object.values(current.testHooks).some(h => h.phase === 'Failed');
      if (failed && !this.ignoreTestFailures(pass)) return 'Failed';
    }
    return 'InSync';
  }

  private actionForState(pass: Pass, state: State): Action | undefined {
    const { status } = pass;
    switch (state) {
      case 'InSync': {
        // Keep the history up to the previous release: what a rollback would need.
        status.history = status.history?.slice(0, 2);
        if (findCondition(status.conditions, 'Remediated')?.status === 'True') {
          const cur = status.history![0];
          removeCondition(status.conditions, 'Remediated');
          setCondition(status.conditions, { type: 'Released', status: 'True', reason: 'UpgradeSucceeded',
            message: `Helm upgrade succeeded for release ${fullReleaseName(cur)} with chart ${versionedChartName(cur)}`, observedGeneration: pass.generation }, nowRfc3339());
        }
        return undefined;
      }
      case 'Absent':
        if (this.exhausted(pass, 'install')) throw new StallError('RetriesExceeded', `Failed to ${status.lastAttemptedReleaseAction ?? 'install'} after ${status.installFailures ?? 0} attempt(s)`);
        return { name: 'install', type: 'release', run: p => this.install(p) };
      case 'Unmanaged':
        status.history = [];
        return { name: 'upgrade', type: 'release', run: p => this.upgrade(p) };
      case 'OutOfSync':
        if (this.exhausted(pass, 'upgrade')) throw new StallError('RetriesExceeded', `Failed to ${status.lastAttemptedReleaseAction ?? 'upgrade'} after ${status.upgradeFailures ?? 0} attempt(s)`);
        return { name: 'upgrade', type: 'release', run: p => this.upgrade(p) };
      case 'Untested':
        return { name: 'test', type: 'test', run: p => this.test(p) };
      case 'Failed': {
        const action = status.lastAttemptedReleaseAction ?? 'install';
        const remediation = this.remediation(pass, action);
        const count = this.failureCount(pass);
        if (count <= 0) return { name: 'upgrade', type: 'release', run: p => this.upgrade(p) };
        if (this.exhausted(pass, action) && !(remediation.remediateLastFailure ?? (remediation.retries ?? 0) > 0)) {
          throw new StallError('RetriesExceeded', `Failed to ${action} after ${count} attempt(s)`);
        }
        const strategy = action === 'install' ? 'uninstall' : remediation.strategy ?? 'rollback';
        if (strategy === 'uninstall') return { name: 'uninstall', type: 'remediate', run: p => this.uninstallRemediation(p) };
        if (!this.rollbackTarget(pass)) {
          throw new StallError('MissingRollbackTarget', 'Failed to perform remediation: missing target release for rollback: cannot remediate failed release');
        }
        return { name: 'rollback', type: 'remediate', run: p => this.rollback(p) };
      }
      default:
        return undefined;
    }
  }

  // ---- actions ----------------------------------------------------------------------------

  private async install(pass: Pass): Promise<void> {
    const { status, rendered } = pass;
    status.lastAttemptedReleaseAction = 'install';
    removeCondition(status.conditions, 'TestSuccess');
    removeCondition(status.conditions, 'Remediated');
    const previous = pass.storage.list(pass.releaseName);
    const version = (previous.at(-1)?.version ?? 0) + 1;
    const now = new Date().toISOString();
    const record = this.releaseRecord(pass, version, 'pending-install', 'Initial install underway', now, now);
    await pass.storage.write(record);
    await this.applyObjects(rendered, pass.releaseName);
    let error = rendered.fail.install;
    if (!error) error = await this.runHooks(pass, record, 'post-install');
    record.info.status = error ? 'failed' : 'deployed';
    record.info.description = error ? `Release "${pass.releaseName}" failed: ${error}` : 'Install complete';
    await pass.storage.write(record);
    const snapshot = this.snapshot(record);
    status.history = [snapshot, ...(status.history ?? [])];
    const chart = versionedChartName(snapshot);
    if (error) {
      const message = `Helm install failed for release ${pass.releaseNamespace}/${pass.releaseName} with chart ${chart}: ${error}`;
      status.failures = (status.failures ?? 0) + 1;
      status.installFailures = (status.installFailures ?? 0) + 1;
      setCondition(status.conditions, { type: 'Released', status: 'False', reason: 'InstallFailed', message, observedGeneration: pass.generation }, nowRfc3339());
      await this.events.record(pass.hr, 'Warning', 'InstallFailed', message);
      return;
    }
    const message = `Helm install succeeded for release ${fullReleaseName(snapshot)} with chart ${chart}`;
    setCondition(status.conditions, { type: 'Released', status: 'True', reason: 'InstallSucceeded', message, observedGeneration: pass.generation }, nowRfc3339());
    this.markAwaitingTests(pass, snapshot);
    await this.events.record(pass.hr, 'Normal', 'InstallSucceeded', message);
  }

  private async upgrade(pass: Pass): Promise<void> {
    const { status, rendered } = pass;
    status.lastAttemptedReleaseAction = 'upgrade';
    removeCondition(status.conditions, 'TestSuccess');
    removeCondition(status.conditions, 'Remediated');
    const releases = pass.storage.list(pass.releaseName);
    const current = [...releases].reverse().find(r => r.info.status === 'deployed');
    const version = (releases.at(-1)?.version ?? 0) + 1;
    const now = new Date().toISOString();
    const record = this.releaseRecord(pass, version, 'pending-upgrade', 'Preparing upgrade', current?.info.first_deployed ?? now, now);
    await pass.storage.write(record);
    let error = await this.runHooks(pass, record, 'pre-upgrade');
    let applied = false;
    if (!error) {
      await this.applyObjects(rendered, pass.releaseName);
      applied = true;
      error = rendered.fail.upgrade ?? (await this.runHooks(pass, record, 'post-upgrade'));
    }
    // Helm supersedes the running release once the new one's resources are applied.
    if (current && (applied || !error)) {
      current.info.status = 'superseded';
      await pass.storage.write(current);
      for (const s of status.history ?? []) if (s.version === current.version) s.status = 'superseded';
    }
    record.info.status = error ? 'failed' : 'deployed';
    record.info.description = error ? `Upgrade "${pass.releaseName}" failed: ${error}` : 'Upgrade complete';
    await pass.storage.write(record);
    const snapshot = this.snapshot(record);
    status.history = [snapshot, ...(status.history ?? [])];
    if (error) {
      const message = `Helm upgrade failed for release ${pass.releaseNamespace}/${pass.releaseName} with chart ${versionedChartName(snapshot)}: ${error}`;
      status.failures = (status.failures ?? 0) + 1;
      status.upgradeFailures = (status.upgradeFailures ?? 0) + 1;
      setCondition(status.conditions, { type: 'Released', status: 'False', reason: 'UpgradeFailed', message, observedGeneration: pass.generation }, nowRfc3339());
      await this.events.record(pass.hr, 'Warning', 'UpgradeFailed', message);
      return;
    }
    const message = `Helm upgrade succeeded for release ${fullReleaseName(snapshot)} with chart ${versionedChartName(snapshot)}`;
    setCondition(status.conditions, { type: 'Released', status: 'True', reason: 'UpgradeSucceeded', message, observedGeneration: pass.generation }, nowRfc3339());
    this.markAwaitingTests(pass, snapshot);
    await this.events.record(pass.hr, 'Normal', 'UpgradeSucceeded', message);
  }

  private async test(pass: Pass): Promise<void> {
    const { status } = pass;
    const record = pass.storage.latest(pass.releaseName)!;
    const snapshot = status.history![0];
    const error = await this.runHooks(pass, record, 'test');
    await pass.storage.write(record);
    snapshot.testHooks = Object.fromEntries((record.hooks ?? []).filter(h => h.events.includes('test'))
      .map(h => [h.name, { lastStarted: h.last_run.started_at || undefined, lastCompleted: h.last_run.completed_at || undefined, phase: h.last_run.phase || undefined }]));
    const count = Object.keys(snapshot.testHooks).length;
    if (error) {
      const message = `Helm test failed for release ${fullReleaseName(snapshot)} with chart ${versionedChartName(snapshot)}: ${error}`;
      status.failures = (status.failures ?? 0) + 1;
      if (!this.ignoreTestFailures(pass)) {
        if (status.lastAttemptedReleaseAction === 'install') status.installFailures = (status.installFailures ?? 0) + 1;
        else status.upgradeFailures = (status.upgradeFailures ?? 0) + 1;
      }
      setCondition(status.conditions, { type: 'TestSuccess', status: 'False', reason: 'TestFailed', message, observedGeneration: pass.generation }, nowRfc3339());
      await this.events.record(pass.hr, 'Warning', 'TestFailed', message);
      return;
    }
    const summary = count === 0 ? 'no test hooks' : `${count} test hook${count === 1 ? '' : 's'} completed successfully`;
    const message = `Helm test succeeded for release ${fullReleaseName(snapshot)} with chart ${versionedChartName(snapshot)}: ${summary}`;
    setCondition(status.conditions, { type: 'TestSuccess', status: 'True', reason: 'TestSucceeded', message, observedGeneration: pass.generation }, nowRfc3339());
    await this.events.record(pass.hr, 'Normal', 'TestSucceeded', message);
  }

  private rollbackTarget(pass: Pass): Snapshot | undefined {
    return pass.status.history?.slice(1).find(s => s.status === 'deployed' || s.status === 'superseded');
  }

  private async rollback(pass: Pass): Promise<void> {
    const { status } = pass;
    const target = this.rollbackTarget(pass)!;
    const releases = pass.storage.list(pass.releaseName);
    const targetRecord = releases.find(r => r.version === target.version)!;
    const failed = releases.at(-1)!;
    const chart = this.catalog.chart(targetRecord.chart.metadata.name);
    const version = chart && chart.versions.find(v => v.version === targetRecord.chart.metadata.version);
    if (chart && version) {
      await this.applyObjects(this.catalog.render(chart, version, { name: pass.releaseName, namespace: pass.releaseNamespace, values: targetRecord.config }), pass.releaseName);
    }
    const now = new Date().toISOString();
    const record: HelmReleaseRecord = {
      ...structuredClone(targetRecord),
      version: failed.version + 1,
      info: { ...targetRecord.info, last_deployed: now, deleted: '', status: 'deployed', description: `Rollback to ${target.version}` },
    };
    for (const r of releases.filter(old => old.info.status === 'deployed' || old.info.status === 'failed')) {
      r.info.status = 'superseded';
      await pass.storage.write(r);
    }
    await pass.storage.write(record);
    for (const s of status.history ?? []) if (s.status === 'deployed' || s.status === 'failed') s.status = 'superseded';
    status.history = [this.snapshot(record), ...(status.history ?? [])];
    const message = `Helm rollback to previous release ${fullReleaseName(target)} with chart ${versionedChartName(target)} succeeded`;
    setCondition(status.conditions, { type: 'Remediated', status: 'True', reason: 'RollbackSucceeded', message, observedGeneration: pass.generation }, nowRfc3339());
    await this.events.record(pass.hr, 'Normal', 'RollbackSucceeded', message);
  }

  private async uninstallRemediation(pass: Pass): Promise<void> {
    const { status } = pass;
    const latest = status.history?.[0];
    await this.uninstallRelease(pass.storage, pass.releaseName, pass.releaseNamespace);
    if (latest) {
      latest.status = 'uninstalled';
      latest.deleted = nowRfc3339();
      const message = `Helm uninstall remediation for release ${fullReleaseName(latest)} with chart ${versionedChartName(latest)} succeeded`;
      setCondition(status.conditions, { type: 'Remediated', status: 'True', reason: 'UninstallSucceeded', message, observedGeneration: pass.generation }, nowRfc3339());
      await this.events.record(pass.hr, 'Normal', 'UninstallSucceeded', message);
    }
  }

  /** Removes what a release created and its stored revisions (Helm's uninstall without --keep-history). */
  private async uninstallRelease(storage: HelmReleaseStorage, releaseName: string, releaseNamespace: string): Promise<void> {
    for (const record of storage.list(releaseName).reverse()) {
      const chart = this.catalog.chart(record.chart.metadata.name);
      const version = chart?.versions.find(v => v.version === record.chart.metadata.version);
      if (!chart || !version) continue;
      const rendered = this.catalog.render(chart, version, { name: releaseName, namespace: releaseNamespace, values: record.config });
      for (const object of rendered.objects) {
        await this.api.delete(GVR_BY_KIND[object.kind], object.metadata.name!, { namespace: object.metadata.namespace }).catch(ignoreNotFound);
      }
      break;
    }
    await storage.deleteAll(releaseName);
  }

  // ---- deletion ---------------------------------------------------------------------------

  private async reconcileDelete(hr: KubeObject): Promise<ReconcileResult> {
    const finalizers = hr.metadata.finalizers ?? [];
    if (!finalizers.includes(FLUX_FINALIZER)) return undefined;
    const spec = fluxSpec(hr) as HelmReleaseSpec;
    const status = (hr.status ?? {}) as HelmReleaseStatusFields;
    if (!spec.suspend) {
      const releaseNamespace = spec.targetNamespace ?? hr.metadata.namespace!;
      const releaseName = spec.releaseName ?? (spec.targetNamespace ? `${spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name!);
      if (status.storageNamespace) {
        const storage = new HelmReleaseStorage(this.api, status.storageNamespace, this.name);
        const latest = status.history?.[0];
        await delay(this.duration(ACTION_MS.uninstall));
        await this.uninstallRelease(storage, releaseName, releaseNamespace);
        if (latest) {
          await this.events.record(hr, 'Normal', 'UninstallSucceeded',
            `Helm uninstall succeeded for release ${fullReleaseName(latest)} with chart ${versionedChartName(latest)}`);
        }
      }
      if (spec.chart) {
        const ns = spec.chart.spec.sourceRef.namespace ?? hr.metadata.namespace;
        await this.api.delete(HELM_CHARTS, `${hr.metadata.namespace}-${hr.metadata.name}`, { namespace: ns }).catch(ignoreNotFound);
      }
    }
    await this.api.update(HELM_RELEASES, { ...hr, metadata: { ...hr.metadata, finalizers: finalizers.filter(f => f !== FLUX_FINALIZER) } }, { fieldManager: this.name });
    return undefined;
  }

  // ---- chart source -----------------------------------------------------------------------

  /** Creates or updates the HelmChart helm-controller owns for `spec.chart`; returns `<ns>/<name>`. */
  private async reconcileChartTemplate(hr: KubeObject, spec: HelmReleaseSpec): Promise<string> {
    const template = spec.chart!.spec;
    const namespace = template.sourceRef.namespace ?? hr.metadata.namespace!;
    const name = `${hr.metadata.namespace}-${hr.metadata.name}`;
    const desired = clean({
      chart: template.chart,
      version: template.version || '*',
      sourceRef: { kind: template.sourceRef.kind, name: template.sourceRef.name },
      interval: template.interval ?? spec.interval ?? '10m0s',
      reconcileStrategy: template.reconcileStrategy ?? 'ChartVersion',
      valuesFiles: template.valuesFiles,
    });
    const body: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      metadata: {
        name, namespace,
        labels: { 'helm.toolkit.fluxcd.io/name': hr.metadata.name!, 'helm.toolkit.fluxcd.io/namespace': hr.metadata.namespace! },
      },
      spec: desired,
    };
    await this.api.patch(HELM_CHARTS, name, body, { type: 'apply', namespace, fieldManager: this.name, force: true });
    return `${namespace}/${name}`;
  }

  private loadChart(hr: KubeObject, spec: HelmReleaseSpec):
    | { chart: RenderedChart['chart']; version: RenderedChart['version']; ociDigest?: string }
    | { error: string; reason: string } {
    let ref: { kind: string; gvr: GroupVersionResource; name: string; namespace: string } | undefined;
    if (spec.chart) {
      ref = { kind: 'HelmChart', gvr: HELM_CHARTS, name: `${hr.metadata.namespace}-${hr.metadata.name}`, namespace: spec.chart.spec.sourceRef.namespace ?? hr.metadata.namespace! };
    } else if (spec.chartRef?.kind === 'OCIRepository') {
      ref = { kind: 'OCIRepository', gvr: OCI_REPOSITORIES, name: spec.chartRef.name, namespace: spec.chartRef.namespace ?? hr.metadata.namespace! };
    }
    if (!ref) return { reason: 'ArtifactFailed', error: `could not get Source object: unsupported source kind '${spec.chartRef?.kind}'` };
    let source: KubeObject;
    try {
      source = this.api.get(ref.gvr, ref.name, { namespace: ref.namespace });
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) {
        return { reason: 'ArtifactFailed', error: `could not get Source object: ${ref.gvr.resource}.${ref.gvr.group} "${ref.name}" not found` };
      }
      throw error;
    }
    const sourceStatus = (source.status ?? {}) as FluxStatus & { artifact?: { revision: string; digest: string }; observedChartName?: string };
    const ready = findCondition(sourceStatus.conditions, 'Ready');
    if (sourceStatus.observedGeneration !== source.metadata.generation || ready?.status !== 'True' || !sourceStatus.artifact) {
      const why = ready?.status === 'False' ? ready.message : 'latest generation of object has not been reconciled';
      return { reason: 'SourceNotReady', error: `${ref.kind} '${ref.namespace}/${ref.name}' is not ready: ${why}` };
    }
    if (ref.kind === 'HelmChart') {
      const repoName = (fluxSpec(source).sourceRef as { name: string }).name;
      let url = '';
      try {
        url = fluxSpec(this.api.get(HELM_REPOSITORIES, repoName, { namespace: ref.namespace })).url as string;
      } catch {
        // The repository went away after the chart was pulled: the artifact is all we have.
      }
      const chart = this.catalog.chart(sourceStatus.observedChartName ?? '', url) ?? this.catalog.chart(sourceStatus.observedChartName ?? '');
      const version = chart?.versions.find(v => v.version === sourceStatus.artifact!.revision);
      if (!chart || !version) return { reason: 'ArtifactFailed', error: `Could not load chart: artifact '${sourceStatus.artifact.revision}' not found` };
      return { chart, version };
    }
    const chart = this.catalog.repository(fluxSpec(source).url as string)?.charts[0];
    const [tag, digest] = sourceStatus.artifact.revision.split('@');
    const version = chart?.versions.find(v => v.version === tag);
    if (!chart || !version) return { reason: 'ArtifactFailed', error: `Could not load chart: artifact '${sourceStatus.artifact.revision}' not found` };
    return { chart, version, ociDigest: digest };
  }

  // ---- hooks, objects, records ------------------------------------------------------------

  /** Runs the hooks of `event` in weight order; returns Helm's error when one fails. */
  private async runHooks(pass: Pass, record: HelmReleaseRecord, event: string): Promise<string | undefined> {
    const hooks = pass.rendered.hooks.filter(h => h.events.includes(event));
    for (const hook of hooks) {
      const recorded = record.hooks?.find(h => h.name === hook.name);
      const fails = pass.rendered.fail.hook === hook.name || (event === 'test' && !!pass.rendered.fail.test);
      if (recorded) recorded.last_run = { started_at: new Date().toISOString(), completed_at: '', phase: 'Running' };
      const outcome = await this.runHookJob(hook, fails);
      if (recorded) recorded.last_run = { ...recorded.last_run, completed_at: new Date().toISOString(), phase: outcome.ok ? 'Succeeded' : 'Failed' };
      const remove = (outcome.ok && hook.deletePolicies.includes('hook-succeeded')) || (!outcome.ok && hook.deletePolicies.includes('hook-failed'));
      if (remove) await this.api.delete(JOBS, hook.name, { namespace: pass.releaseNamespace, propagationPolicy: 'Background' }).catch(ignoreNotFound);
      if (!outcome.ok) {
        const detail = event === 'test' && pass.rendered.fail.test ? pass.rendered.fail.test : `job ${hook.name} failed: ${outcome.reason}`;
        return `${event === 'test' ? 'test' : event} hooks failed: 1 error occurred:\n\t* ${detail}`;
      }
    }
    return undefined;
  }

  private async runHookJob(hook: RenderedHook, fails: boolean): Promise<{ ok: boolean; reason?: string }> {
    const job = structuredClone(hook.object);
    const namespace = job.metadata.namespace!;
    if (hook.deletePolicies.includes('before-hook-creation')) {
      await this.api.delete(JOBS, hook.name, { namespace, propagationPolicy: 'Background' }).catch(ignoreNotFound);
    }
    if (fails) {
      const template = ((job.spec as Record<string, unknown>).template ??= {}) as { metadata?: { annotations?: Record<string, string> } };
      template.metadata = { ...(template.metadata ?? {}), annotations: { ...(template.metadata?.annotations ?? {}), [FAIL_EXIT_CODE]: '1' } };
    }
    await this.api.create(JOBS, job, { fieldManager: this.name });
    if (!this.jobsSimulated) return fails ? { ok: false, reason: 'BackoffLimitExceeded' } : { ok: true };
    const deadline = Date.now() + Math.max(this.duration(parseGoDuration('5m', 300_000)), 30_000);
    while (Date.now() < deadline) {
      let live: KubeObject;
      try {
        live = this.api.get(JOBS, hook.name, { namespace });
      } catch (error) {
        if (error instanceof StatusError && error.code === 404) return { ok: false, reason: 'job deleted before completion' };
        throw error;
      }
      const conditions = ((live.status as { conditions?: Array<{ type: string; status: string; reason?: string }> } | undefined)?.conditions) ?? [];
      if (conditions.some(c => c.type === 'Complete' && c.status === 'True')) return { ok: true };
      const failed = conditions.find(c => c.type === 'Failed' && c.status === 'True');
      if (failed) return { ok: false, reason: failed.reason ?? 'BackoffLimitExceeded' };
      await delay(Math.max(this.duration(1000), 10));
    }
    return { ok: false, reason: 'timed out waiting for the condition' };
  }

  /** Applies the release's objects with Helm's ownership annotations. */
  private async applyObjects(rendered: RenderedChart, releaseName: string): Promise<void> {
    for (const object of rendered.objects) {
      const body = structuredClone(object);
      body.metadata.annotations = {
        ...(body.metadata.annotations ?? {}),
        'meta.helm.sh/release-name': releaseName,
        'meta.helm.sh/release-namespace': body.metadata.namespace!,
      };
      const gvr = GVR_BY_KIND[body.kind];
      if (!gvr) continue;
      await this.api.patch(gvr, body.metadata.name!, body, { type: 'apply', namespace: body.metadata.namespace, fieldManager: this.name, force: true });
    }
  }

  private releaseRecord(pass: Pass, version: number, status: HelmReleaseStatus, description: string, firstDeployed: string, lastDeployed: string): HelmReleaseRecord {
    const { chart, version: chartVersion, manifest, hooks, notes } = pass.rendered;
    const hookRecords: HelmHookRecord[] = hooks.map(h => ({
      name: h.name, kind: h.kind, path: h.path, manifest: h.manifest, events: h.events,
      last_run: { started_at: '', completed_at: '', phase: '' }, weight: h.weight, delete_policies: h.deletePolicies,
    }));
    return {
      name: pass.releaseName,
      info: { first_deployed: firstDeployed, last_deployed: lastDeployed, deleted: '', description, status, notes },
      chart: {
        metadata: clean({
          name: chart.name, home: chart.home, sources: chart.sources, version: chartVersion.version, description: chart.description,
          keywords: chart.keywords, icon: chart.icon, apiVersion: 'v2', appVersion: chartVersion.appVersion, type: 'application',
        }),
        lock: null,
        templates: manifest.split('---\n# Source: ').filter(Boolean).map(part => {
          const [path, ...body] = part.split('\n');
          return { name: path.slice(chart.name.length + 1), data: Buffer.from(body.join('\n')).toString('base64') };
        }),
        values: chartVersion.values,
        schema: null,
        files: [],
      },
      config: pass.values,
      manifest,
      hooks: hookRecords,
      version,
      namespace: pass.releaseNamespace,
    };
  }

  private snapshot(record: HelmReleaseRecord): Snapshot {
    return clean({
      digest: digestOf(JSON.stringify(record)),
      name: record.name,
      namespace: record.namespace,
      version: record.version,
      status: record.info.status,
      chartName: record.chart.metadata.name,
      chartVersion: record.chart.metadata.version,
      appVersion: record.chart.metadata.appVersion,
      configDigest: digestOf(canonicalJson(record.config)),
      firstDeployed: toRfc3339(record.info.first_deployed),
      lastDeployed: toRfc3339(record.info.last_deployed),
    });
  }

  // ---- conditions and policy --------------------------------------------------------------

  /** Ready mirrors the most significant of Remediated (negative), TestSuccess and Released. */
  private summarize(pass: Pass): void {
    const { status, generation, spec } = pass;
    const remediated = findCondition(status.conditions, 'Remediated');
    const tested = spec.test?.enable && !spec.test.ignoreFailures ? findCondition(status.conditions, 'TestSuccess') : undefined;
    const released = findCondition(status.conditions, 'Released');
    const now = nowRfc3339();
    const order = [tested, released].filter((c): c is Condition => !!c);
    // Remediated has negative polarity: True means the release is not what was asked for.
    const source = remediated?.status === 'True'
      ? remediated
      : order.find(c => c.status === 'False') ?? order.find(c => c.status === 'Unknown') ?? order[0];
    const ready: Condition['status'] = source === remediated ? 'False' : source?.status ?? 'Unknown';
    if (!source) return;
    setCondition(status.conditions, { type: 'Ready', status: ready, reason: source.reason, message: source.message, observedGeneration: generation }, now);
  }

  private markAwaitingTests(pass: Pass, snapshot: Snapshot): void {
    if (!pass.spec.test?.enable) return;
    setCondition(pass.status.conditions, {
      type: 'TestSuccess', status: 'Unknown', reason: 'AwaitingTests',
      message: `Helm release ${fullReleaseName(snapshot)} with chart ${versionedChartName(snapshot)} is awaiting tests`, observedGeneration: pass.generation,
    }, nowRfc3339());
  }

  private markRetrying(pass: Pass): void {
    const ready = findCondition(pass.status.conditions, 'Ready');
    setCondition(pass.status.conditions, { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: ready?.message ?? '', observedGeneration: pass.generation }, nowRfc3339());
  }

  private markStalled(pass: Pass, reason: string, message: string): void {
    removeCondition(pass.status.conditions, 'Reconciling');
    setCondition(pass.status.conditions, { type: 'Stalled', status: 'True', reason, message, observedGeneration: pass.generation }, nowRfc3339());
    this.summarize(pass);
  }

  private remediation(pass: Pass, action: 'install' | 'upgrade'): Remediation {
    return (action === 'install' ? pass.spec.install?.remediation : pass.spec.upgrade?.remediation) ?? {};
  }

  private failureCount(pass: Pass): number {
    return (pass.status.lastAttemptedReleaseAction === 'upgrade' ? pass.status.upgradeFailures : pass.status.installFailures) ?? 0;
  }

  private exhausted(pass: Pass, action: 'install' | 'upgrade'): boolean {
    const retries = this.remediation(pass, action).retries ?? 0;
    const count = (action === 'install' ? pass.status.installFailures : pass.status.upgradeFailures) ?? 0;
    return retries >= 0 && count > retries;
  }

  private retriesExhausted(pass: Pass): boolean {
    return this.exhausted(pass, pass.status.lastAttemptedReleaseAction ?? 'install');
  }

  private ignoreTestFailures(pass: Pass): boolean {
    const remediation = this.remediation(pass, pass.status.lastAttemptedReleaseAction ?? 'install');
    return remediation.ignoreTestFailures ?? pass.spec.test?.ignoreFailures ?? false;
  }

  private timeoutFor(spec: HelmReleaseSpec, action: Action['name']): number {
    const base = parseGoDuration(spec.timeout, 5 * 60_000);
    const specific = { install: spec.install?.timeout, upgrade: spec.upgrade?.timeout, test: spec.test?.timeout, rollback: spec.rollback?.timeout, uninstall: spec.uninstall?.timeout }[action];
    return parseGoDuration(specific, base);
  }

  private async write(pass: Pass): Promise<void> {
    pass.hr = await this.writeStatus(pass.hr, pass.status);
  }

  /** Replaces the whole status without a resourceVersion precondition, as Flux's patch helper does. */
  private async writeStatus(hr: KubeObject, status: HelmReleaseStatusFields): Promise<KubeObject> {
    return this.api.patch(HELM_RELEASES, hr.metadata.name!, [{ op: 'add', path: '/status', value: clean(status) }],
      { type: 'json', subresource: 'status', namespace: hr.metadata.namespace, fieldManager: this.name });
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof StatusError && error.code === 404)) throw error;
}
