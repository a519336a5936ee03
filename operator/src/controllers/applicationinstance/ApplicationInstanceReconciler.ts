import {
  ApplicationInstanceStatus,
  applicationInstanceSpecSchema,
  fieldManager,
  ResourceIssue,
} from '@vworkspace/backstage-plugin-fleet-common';
import {
  isInvalid,
  isNotFound,
  KubeClient,
  KubeObject,
  ReconcileContext,
  Reconciler,
  Request,
  Result,
  Store,
} from '@vworkspace/kube-runtime';
import { argoCdApplicationName, ArgoCdOptions, defaultArgoCdNamespace } from './argocdObjects';
import { cleanupFinalizer, InstanceRef, instanceLabel, instanceNamespaceLabel } from './childMeta';
import { desiredObjects, validateInstance, ValidInstance } from './desiredObjects';
import {
  buildFluxSource,
  fluxSourceKind,
  fluxSourceName,
  selectSourceOwners,
  SourceUser,
  sourceOwnedByUsers,
} from './fluxObjects';
import { ChildApplyError, describeApplyFailure } from './childApplyError';
import { ChildObservation, instanceStatus, untilProgressDeadline } from './instanceStatus';
import { kindOf, instanceKinds } from './kinds';
import { operationTargetIndex } from '../operationTargetIndex';
import { needsApply } from './needsApply';
import { jsonEqual, mergePatchOf } from './statusPatch';

/** Index of instances by the Flux source they use: `namespace/Kind/name`. */
export const fluxSourceIndex = 'applicationinstance.fluxSource';
/** Index of Flux sources by the uids of the instances owning them. */
export const ownerUidIndex = 'applicationinstance.ownerUid';
/** Index of Argo CD Applications by instance: `namespace/name`, from their labels. */
export const applicationInstanceIndex = 'applicationinstance.instance';

/** How long after its progress deadline an instance is looked at again. */
const deadlineMarginMs = 250;

/** How often an instance whose Argo CD Application is not cached is looked at again. */
const uncachedPollMs = 30_000;

/** The caches the reconciler reads. @public */
export interface InstanceCaches {
  instances: Store;
  helmReleases: Store;
  helmRepositories: Store;
  ociRepositories: Store;
  operations: Store;
  /** Undefined when Applications in the Argo CD namespace are outside the cache's scope. */
  applications?: Store;
}

/** @public */
export interface ApplicationInstanceReconcilerOptions {
  client: KubeClient;
  caches: InstanceCaches;
  argocd?: ArgoCdOptions;
  now?: () => Date;
  /**
   * How long an instance may make no progress before it says Stalled; default 15 minutes
   * (`defaultProgressDeadlineMs`), 0 for no deadline.
   */
  progressDeadlineMs?: number;
}

/** What we last wrote to an object, for as long as the cache has not caught up with it. */
interface WriteMemo {
  /** resourceVersion of the cached object the write was based on. */
  baseRv?: string;
  hash?: string;
  ownerUids?: ReadonlySet<string>;
  generation?: number;
  status?: ApplicationInstanceStatus;
}

/**
 * Reconciles an ApplicationInstance into its engine's objects (Flux source + HelmRelease, or
 * an Argo CD Application), and their state back into the instance's status.
 *
 * Writes only what changed: children are compared with what we would apply, and the status
 * with what is stored, so a resync of an unchanged fleet makes no request that writes. The
 * caches can lag behind our own writes; a short memo of each write keeps a lagging cache from
 * causing a second, identical write.
 *
 * @public
 */
function sourceUser(o: KubeObject): SourceUser {
  return {
    name: o.metadata!.name!,
    namespace: o.metadata!.namespace!,
    uid: o.metadata?.uid,
    creationTimestamp: o.metadata?.creationTimestamp,
  };
}

export class ApplicationInstanceReconciler implements Reconciler {
  private readonly client: KubeClient;
  private readonly caches: InstanceCaches;
  private readonly argocd: ArgoCdOptions & { namespace: string };
  private readonly now: () => Date;
  private readonly progressDeadlineMs?: number;
  private readonly memo = new Map<string, WriteMemo>();

  constructor(options: ApplicationInstanceReconcilerOptions) {
    this.client = options.client;
    this.caches = options.caches;
    this.argocd = { ...options.argocd, namespace: options.argocd?.namespace ?? defaultArgoCdNamespace };
    this.now = options.now ?? (() => new Date());
    this.progressDeadlineMs = options.progressDeadlineMs;
  }

  async reconcile(request: Request, ctx: ReconcileContext): Promise<Result | void> {
    const namespace = request.namespace ?? 'default';
    const obj = this.caches.instances.getByName(request.name, namespace);
    if (!obj) {
      // Gone without our finalizer running (e.g. removed by hand): the cleanup rule still holds.
      await this.deleteApplications({ name: request.name, namespace }, ctx);
      this.forget(`status/${namespace}/${request.name}`);
      return undefined;
    }
    if (obj.metadata?.deletionTimestamp) {
      await this.finalize(obj, ctx);
      return undefined;
    }
    const validation = validateInstance(obj);
    if (!validation.valid) {
      ctx.logger.warn('invalid spec', { issues: validation.issues });
      await this.writeStatus(obj, { issues: validation.issues });
      return undefined;
    }
    const instance = validation.instance;
    const want = { chartVersion: instance.spec.chart.version, suspend: instance.spec.suspend };
    try {
      const child =
        instance.spec.engine === 'argocd' ? await this.reconcileArgoCd(obj, instance, ctx) : await this.reconcileFlux(obj, instance, ctx);
      const status = await this.writeStatus(obj, { want, child });
      let requeueAfter = untilProgressDeadline(status, {
        generation: obj.metadata?.generation ?? 0,
        now: this.now(),
        progressDeadlineMs: this.progressDeadlineMs,
      });
      // a little after the deadline, so that the next look finds it passed
      if (requeueAfter !== undefined) requeueAfter += deadlineMarginMs;
      if (instance.spec.engine === 'argocd' && !this.caches.applications) {
        const ready = status.conditions?.some(c => c.type === 'Ready' && c.status === 'True');
        requeueAfter = Math.min(requeueAfter ?? Infinity, ready ? 10 * uncachedPollMs : uncachedPollMs);
      }
      return requeueAfter === undefined ? undefined : { requeueAfter };
    } catch (err) {
      if (!(err instanceof ChildApplyError)) throw err;
      const failure = describeApplyFailure(err);
      // The engine's API rejected what we built: retrying the same object cannot help.
      if (isInvalid(err.cause)) {
        await this.writeStatus(obj, { issues: [{ path: 'spec', message: failure.message }], reason: failure.reason });
        ctx.logger.warn('child rejected by the API server', { error: err });
        return undefined;
      }
      // Anything else may heal (Argo CD gets installed, a permission is granted): say why the
      // instance is stuck, then let the controller retry with backoff.
      ctx.logger.warn('cannot write child', { error: err, reason: failure.reason });
      await this.writeStatus(obj, { want, applyFailure: failure }).catch(statusErr =>
        ctx.logger.warn('cannot write status', { error: statusErr }),
      );
      throw err;
    }
  }

  private async reconcileFlux(obj: KubeObject, instance: ValidInstance, ctx: ReconcileContext): Promise<ChildObservation> {
    const { ref, spec } = instance;
    const uid = ref.uid!;
    const sourceKind = fluxSourceKind(spec.chart);
    const sourceName = fluxSourceName(spec.chart);
    const sourceStore = sourceKind === 'OCIRepository' ? this.caches.ociRepositories : this.caches.helmRepositories;
    // Owners only matter when we write, so the (possibly long) list is built only then.
    const [draftSource, release] = desiredObjects(instance, [], { argocd: this.argocd });
    const liveSource = sourceStore.getByName(sourceName, ref.namespace);
    const sourceKey = `${ref.namespace}/${sourceKind}/${sourceName}`;
    if (this.mustApply(draftSource, liveSource) || (liveSource && !this.sourceOwned(liveSource, sourceKey))) {
      const owners = selectSourceOwners(this.sourceUsers(sourceKey, obj));
      await this.apply(buildFluxSource(spec.chart, ref.namespace, owners), liveSource, owners, ctx);
    }
    const liveRelease = this.caches.helmReleases.getByName(ref.name, ref.namespace);
    let observed = liveRelease;
    if (this.mustApply(release, liveRelease, uid)) {
      observed = await this.apply(release, liveRelease, [ref], ctx);
    } else {
      observed = this.withMemoGeneration(release, liveRelease);
    }
    await this.releaseSources(ref, `${sourceKind}/${sourceName}`, ctx);
    // Without a cache of Applications, only an instance that ran on Argo CD (it still has the
    // finalizer) is worth a lookup.
    if (this.caches.applications || obj.metadata?.finalizers?.includes(cleanupFinalizer)) await this.deleteApplications(ref, ctx);
    await this.setFinalizer(obj, false);
    return { kind: 'HelmRelease', name: ref.name, namespace: ref.namespace, object: observed, sources: [liveSource] };
  }

  private async reconcileArgoCd(obj: KubeObject, instance: ValidInstance, ctx: ReconcileContext): Promise<ChildObservation> {
    const { ref } = instance;
    // The finalizer goes on before the Application exists, so it can never be left behind.
    await this.setFinalizer(obj, true);
    const [app] = desiredObjects(instance, [], { argocd: this.argocd });
    const name = app.metadata!.name!;
    const live = await this.liveApplication(name);
    let observed = live;
    if (this.mustApply(app, live)) observed = await this.apply(app, live, [], ctx);
    else observed = this.withMemoGeneration(app, live);
    await this.deleteFluxChildren(ref, ctx);
    return {
      kind: 'Application',
      name,
      namespace: this.argocd.namespace,
      object: observed,
      appliedSource: (app.spec as { source?: unknown }).source,
    };
  }

  /** {@link sourceOwnedByUsers} against the instance cache: O(owners), not O(users). */
  private sourceOwned(live: KubeObject, sourceKey: string): boolean {
    const namespace = live.metadata?.namespace;
    const users = this.caches.instances;
    const isCurrentUser = (owner: { name: string; uid: string }) => {
      const user = users.getByName(owner.name, namespace);
      return user?.metadata?.uid === owner.uid && users.inIndex(fluxSourceIndex, sourceKey, `${namespace}/${owner.name}`);
    };
    return sourceOwnedByUsers(live, isCurrentUser, users.indexSize(fluxSourceIndex, sourceKey));
  }

  /** Instances sharing a Flux source (the index holds only valid flux instances not being deleted). */
  private sourceUsers(sourceKey: string, self: KubeObject): SourceUser[] {
    const objects = this.caches.instances.byIndex(fluxSourceIndex, sourceKey);
    const all = objects.some(o => o.metadata?.uid === self.metadata?.uid) ? objects : [...objects, self];
    return all.map(sourceUser);
  }

  /**
   * Sources that still list `ref` as an owner but are no longer its source (its chart moved,
   * or it left the flux engine): rewritten with their remaining users, or deleted without any.
   */
  private async releaseSources(ref: InstanceRef, keep: string | undefined, ctx: ReconcileContext): Promise<void> {
    if (!ref.uid) return;
    for (const store of [this.caches.helmRepositories, this.caches.ociRepositories]) {
      for (const source of store.byIndex(ownerUidIndex, ref.uid)) {
        const key = `${source.kind}/${source.metadata!.name}`;
        if (key === keep) continue;
        const users = this.caches.instances
          .byIndex(fluxSourceIndex, `${ref.namespace}/${key}`)
          .filter(u => u.metadata?.uid !== ref.uid);
        const kind = kindOf(source.kind!);
        if (!users.length) {
          ctx.logger.info('deleting unused chart source', { source: key });
          await this.client.delete(kind, source.metadata!.name!, ref.namespace, { preconditions: { uid: source.metadata!.uid } }).catch(ignoreNotFound);
          continue;
        }
        const chart = applicationInstanceSpecSchema.parse(users[0].spec).chart;
        const owners = selectSourceOwners(users.map(sourceUser));
        await this.apply(buildFluxSource(chart, ref.namespace, owners), source, owners, ctx);
      }
    }
  }

  private async deleteFluxChildren(ref: InstanceRef, ctx: ReconcileContext): Promise<void> {
    const release = this.caches.helmReleases.getByName(ref.name, ref.namespace);
    if (release && release.metadata?.ownerReferences?.some(r => r.uid === ref.uid && r.controller) && !release.metadata.deletionTimestamp) {
      ctx.logger.info('engine changed, deleting HelmRelease');
      await this.client.delete(instanceKinds.HelmRelease, ref.name, ref.namespace).catch(ignoreNotFound);
    }
    await this.releaseSources(ref, undefined, ctx);
  }

  /** The cleanup rule of cross-namespace Applications: found by their instance labels. */
  private async deleteApplications(ref: { name: string; namespace: string }, ctx: ReconcileContext): Promise<void> {
    const apps = this.caches.applications
      ? this.caches.applications.byIndex(applicationInstanceIndex, `${ref.namespace}/${ref.name}`)
      : [await this.liveApplication(argoCdApplicationName(ref))].filter(
          (a): a is KubeObject => !!a && a.metadata?.labels?.[instanceLabel] === ref.name && a.metadata?.labels?.[instanceNamespaceLabel] === ref.namespace,
        );
    for (const app of apps) {
      if (app.metadata?.deletionTimestamp) continue;
      ctx.logger.info('deleting Argo CD Application', { application: app.metadata?.name });
      await this.client.delete(instanceKinds.Application, app.metadata!.name!, this.argocd.namespace).catch(ignoreNotFound);
    }
  }

  private async finalize(obj: KubeObject, ctx: ReconcileContext): Promise<void> {
    if (!obj.metadata?.finalizers?.includes(cleanupFinalizer)) return;
    await this.deleteApplications({ name: obj.metadata.name!, namespace: obj.metadata.namespace! }, ctx);
    await this.setFinalizer(obj, false);
  }

  private async setFinalizer(obj: KubeObject, present: boolean): Promise<void> {
    const finalizers = obj.metadata?.finalizers ?? [];
    if (finalizers.includes(cleanupFinalizer) === present) return;
    const next = present ? [...finalizers, cleanupFinalizer] : finalizers.filter(f => f !== cleanupFinalizer);
    // resourceVersion makes this a compare-and-swap: other writers' finalizers are never lost
    await this.client
      .patch(instanceKinds.ApplicationInstance, obj.metadata!.name!, obj.metadata!.namespace, { metadata: { finalizers: next, resourceVersion: obj.metadata!.resourceVersion } }, { type: 'merge', fieldManager })
      .catch(ignoreNotFound);
  }

  private async liveApplication(name: string): Promise<KubeObject | undefined> {
    if (this.caches.applications) return this.caches.applications.getByName(name, this.argocd.namespace);
    try {
      return await this.client.get(instanceKinds.Application, name, this.argocd.namespace);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private memoKey(obj: KubeObject): string {
    return `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`;
  }

  private forget(key: string): void {
    this.memo.delete(key);
  }

  /** Whether to apply, taking into account a write the cache has not seen yet. */
  private mustApply(desired: KubeObject, live: KubeObject | undefined, ownerUid?: string): boolean {
    const key = this.memoKey(desired);
    const memo = this.memo.get(key);
    if (memo && memo.baseRv === live?.metadata?.resourceVersion) {
      const hash = desired.metadata?.annotations?.['apps.vworkspace.io/applied-hash'];
      if (memo.hash === hash && (!ownerUid || memo.ownerUids?.has(ownerUid))) return false;
    } else if (memo) {
      this.memo.delete(key);
    }
    return needsApply(desired, live, ownerUid);
  }

  /**
   * The live child for status purposes. If the cache still shows the object as it was before
   * our last write, its generation is the one our write produced: its old Ready is stale.
   */
  private withMemoGeneration(desired: KubeObject, live: KubeObject | undefined): KubeObject | undefined {
    const memo = this.memo.get(this.memoKey(desired));
    if (!live || !memo || memo.baseRv !== live.metadata?.resourceVersion || memo.generation === undefined) return live;
    return { ...live, metadata: { ...live.metadata, generation: memo.generation } };
  }

  private async apply(desired: KubeObject, live: KubeObject | undefined, owners: ReadonlyArray<InstanceRef>, ctx: ReconcileContext): Promise<KubeObject> {
    const kind = kindOf(desired.kind!);
    ctx.logger.debug('applying', { kind: desired.kind, name: desired.metadata?.name, namespace: desired.metadata?.namespace });
    let result: KubeObject;
    try {
      result = await this.client.apply(kind, desired, { fieldManager, force: true });
    } catch (err) {
      throw new ChildApplyError(desired, { cause: err });
    }
    this.memo.set(this.memoKey(desired), {
      baseRv: live?.metadata?.resourceVersion,
      hash: desired.metadata?.annotations?.['apps.vworkspace.io/applied-hash'],
      ownerUids: new Set(owners.map(o => o.uid).filter((u): u is string => !!u)),
      generation: result.metadata?.generation,
    });
    return result;
  }

  /** Computes the status and writes it if it differs from what is stored (or what we last wrote). */
  private async writeStatus(
    obj: KubeObject,
    input: {
      issues?: ResourceIssue[];
      reason?: string;
      want?: { chartVersion: string; suspend: boolean };
      child?: ChildObservation;
      applyFailure?: { reason: string; message: string };
    },
  ): Promise<ApplicationInstanceStatus> {
    const key = `status/${obj.metadata!.namespace}/${obj.metadata!.name}`;
    const memo = this.memo.get(key);
    const cached = obj.status as ApplicationInstanceStatus | undefined;
    let previous = cached;
    if (memo && memo.baseRv === obj.metadata?.resourceVersion) previous = memo.status;
    else if (memo) this.memo.delete(key);
    const next = instanceStatus({
      generation: obj.metadata?.generation ?? 0,
      previous,
      issues: input.issues,
      invalidReason: input.reason,
      want: input.want,
      child: input.child,
      applyFailure: input.applyFailure,
      lastBackup: this.lastBackup(obj),
      now: this.now(),
      progressDeadlineMs: this.progressDeadlineMs,
    });
    if (jsonEqual(previous ?? {}, next)) return next;
    try {
      await this.client.patch(instanceKinds.ApplicationInstance, obj.metadata!.name!, obj.metadata!.namespace, { status: mergePatchOf(cached ?? {}, next) }, {
        type: 'merge',
        subresource: 'status',
        fieldManager,
      });
    } catch (err) {
      if (isNotFound(err)) return next;
      throw err;
    }
    this.memo.set(key, { baseRv: obj.metadata?.resourceVersion, status: next });
    return next;
  }

  /** The newest successful Backup operation of an instance. */
  private lastBackup(obj: KubeObject): { operation: string; completedAt: string } | undefined {
    let best: { operation: string; completedAt: string } | undefined;
    for (const op of this.caches.operations.byIndex(operationTargetIndex, `${obj.metadata!.namespace}/${obj.metadata!.name}`)) {
      const spec = op.spec as { type?: string } | undefined;
      const status = op.status as { phase?: string; completedAt?: string } | undefined;
      if (spec?.type !== 'Backup' || status?.phase !== 'Succeeded' || !status.completedAt) continue;
      if (!best || Date.parse(status.completedAt) > Date.parse(best.completedAt)) {
        best = { operation: op.metadata!.name!, completedAt: status.completedAt };
      }
    }
    return best;
  }
}

function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}
