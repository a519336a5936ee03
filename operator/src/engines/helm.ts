import {
  ApplicationInstance,
  applicationInstanceApiVersion,
  EngineStatus,
  getCondition,
  HelmParameters,
  OperationType,
} from '@vworkspace/backstage-plugin-fleet-common';
import { engineStatus } from './engineStatus';
import { Engine, EngineContext, EngineRef, Recovery } from './Engine';
import { getOrUndefined, operatorWrite } from './engineResources';
import { isConflict, isInvalid, isNotFound } from '@vworkspace/kube-runtime';
import { operationKinds } from './kinds';

/**
 * Where an upgraded instance stands. Succeeded only when the instance reports Ready=True for
 * its current generation with the new chart version deployed (a stale green is not green);
 * Stalled is final; someone else changing the version afterwards supersedes the operation.
 * @public
 */
export function instanceUpgradeStatus(
  instance: Pick<ApplicationInstance, 'metadata' | 'spec' | 'status'>,
  toVersion: string,
): EngineStatus {
  const name = `${instance.metadata.namespace}/${instance.metadata.name}`;
  if (instance.spec.chart.version !== toVersion) {
    return engineStatus(
      'Failed',
      'Superseded',
      `ApplicationInstance ${name} now asks for chart ${instance.spec.chart.version}, not ${toVersion}`,
    );
  }
  const generation = instance.metadata.generation ?? 0;
  const status = instance.status;
  if ((status?.observedGeneration ?? -1) < generation) {
    return engineStatus('Running', 'ProgressingGeneration', `Waiting for the operator to observe generation ${generation} of ${name}`);
  }
  const stalled = getCondition(status?.conditions, 'Stalled');
  if (stalled?.status === 'True') {
    return engineStatus('Failed', stalled.reason || 'Stalled', stalled.message || `ApplicationInstance ${name} stalled`);
  }
  const ready = getCondition(status?.conditions, 'Ready');
  if (ready?.status !== 'True' || (ready.observedGeneration !== undefined && ready.observedGeneration < generation)) {
    return engineStatus('Running', ready?.reason || 'Progressing', ready?.message || `Waiting for ${name} to be Ready`);
  }
  if (status?.chart?.version !== toVersion) {
    return engineStatus(
      'Running',
      'StaleRelease',
      `${name} is Ready at chart ${status?.chart?.version ?? 'unknown'}, waiting for ${toVersion}`,
    );
  }
  return engineStatus('Succeeded', 'UpgradeSucceeded', `${name} is Ready at chart ${toVersion}`);
}

/**
 * Upgrades by changing the ApplicationInstance's `spec.chart.version` (and values, if given):
 * the instance is the only source of intent, and its HelmRelease follows. The version before
 * the change is recorded by {@link Engine.prepare}, which the controller persists before
 * `start` writes, so a restart in between never loses the way back. Once the instance has
 * changed there is nothing to stop: a cancel or deadline leaves it at the new version.
 * @public
 */
export const helmEngine: Engine = {
  name: 'helm',
  defaultTimeoutSeconds: 1800,
  supports(type: OperationType) {
    return type === 'Upgrade';
  },
  async prepare(ctx) {
    const params = ctx.operation.spec.parameters as HelmParameters;
    return {
      fromVersion: ctx.target.spec.chart.version,
      toVersion: params.version,
      // the values to put back after a failure, only when this upgrade changes them
      ...(params.values ? { fromValues: ctx.target.spec.values ?? {} } : {}),
    };
  },
  ref(ctx): EngineRef {
    return {
      apiVersion: applicationInstanceApiVersion,
      kind: 'ApplicationInstance',
      name: ctx.target.metadata.name,
      namespace: ctx.operation.metadata.namespace,
    };
  },
  async start(ctx) {
    const params = ctx.operation.spec.parameters as HelmParameters;
    // JSON merge patch: `values` merges into the instance's values key by key.
    const patch = { spec: { chart: { version: params.version }, ...(params.values ? { values: params.values } : {}) } };
    return ctx.client.patch(operationKinds.ApplicationInstance, ctx.target.metadata.name, ctx.operation.metadata.namespace, patch, {
      type: 'merge',
      ...operatorWrite,
    });
  },
  get(ctx) {
    return getOrUndefined(ctx.client, operationKinds.ApplicationInstance, ctx.target.metadata.name, ctx.operation.metadata.namespace);
  },
  observe(ctx, resource) {
    const instance = resource as unknown as ApplicationInstance;
    const toVersion = String(ctx.recorded.toVersion ?? (ctx.operation.spec.parameters as HelmParameters).version);
    const ready = getCondition(instance.status?.conditions, 'Ready');
    const stalled = getCondition(instance.status?.conditions, 'Stalled');
    const shown = stalled?.status === 'True' ? stalled : ready;
    return {
      status: instanceUpgradeStatus(instance, toVersion),
      raw: {
        phase: shown ? `${shown.type}=${shown.status}` : 'Unknown',
        reason: shown?.reason,
        message: shown?.message,
      },
      result: { deployedVersion: instance.status?.chart?.version },
    };
  },
  recover(ctx, resource) {
    return revertFailedUpgrade(ctx, resource as unknown as ApplicationInstance);
  },
  async stop(ctx) {
    const from = ctx.recorded.fromVersion;
    return {
      outcome: 'refused',
      message:
        `an upgrade cannot be cancelled once the instance's chart version changed; ` +
        `Flux carries on with it. To undo it, upgrade back to ${String(from ?? 'the previous version')}`,
    };
  },
};

/** Reason of the Event recorded on an instance whose failed upgrade was reverted. @public */
export const upgradeRevertedReason = 'UpgradeReverted';

/**
 * After a failed upgrade that Flux rolled back (the instance deploys `fromVersion` again), puts
 * the instance's intent back to `fromVersion` (and its values, if the upgrade changed them), so
 * it is Ready again at the version that runs and the next Upgrade can start. Skipped when the
 * Operation says `revertOnFailure: false`, when the instance no longer asks for the failed
 * version (someone changed it since: theirs is the newer intent), or when the release was not
 * rolled back to `fromVersion`. The write is a JSON patch that tests the version first, so a
 * concurrent change is never overwritten.
 * @public
 */
export async function revertFailedUpgrade(ctx: EngineContext, instance: ApplicationInstance): Promise<Recovery | undefined> {
  const params = ctx.operation.spec.parameters as Partial<HelmParameters>;
  const toVersion = String(ctx.recorded.toVersion ?? params.version);
  const fromVersion = ctx.recorded.fromVersion;
  const name = `${instance.metadata.namespace}/${instance.metadata.name}`;
  if (typeof fromVersion !== 'string' || fromVersion === toVersion) return undefined;
  if (instance.spec.chart.version !== toVersion) return undefined;
  const deployed = instance.status?.chart?.version;
  if (params.revertOnFailure === false) {
    return {
      message:
        `ApplicationInstance ${name} still asks for ${toVersion} (revertOnFailure: false) and runs ${deployed ?? 'an unknown version'}; ` +
        `upgrade it to a version that works, or back to ${fromVersion}`,
    };
  }
  if (deployed !== fromVersion) {
    return {
      message: `ApplicationInstance ${name} left at ${toVersion}: the release runs ${deployed ?? 'no known version'}, not ${fromVersion}, so reverting would not bring it back`,
    };
  }
  const fromValues = ctx.recorded.fromValues;
  const patch = [
    { op: 'test', path: '/spec/chart/version', value: toVersion },
    { op: 'replace', path: '/spec/chart/version', value: fromVersion },
    ...(fromValues && typeof fromValues === 'object' ? [{ op: 'add', path: '/spec/values', value: fromValues }] : []),
  ];
  try {
    await ctx.client.patch(operationKinds.ApplicationInstance, instance.metadata.name, instance.metadata.namespace ?? ctx.operation.metadata.namespace, patch, {
      type: 'json',
      ...operatorWrite,
    });
  } catch (err) {
    // The test failed (the version changed meanwhile) or the instance is gone: nothing to revert.
    if (isInvalid(err) || isConflict(err) || isNotFound(err)) return undefined;
    throw err;
  }
  const message =
    `the upgrade of ${name} to ${toVersion} failed and Flux rolled it back to ${fromVersion}: ` +
    `its chart version is set back to ${fromVersion}${fromValues ? ' (and its values to what they were)' : ''}, so it is Ready at the version that runs`;
  return {
    message: `reverted to ${fromVersion}`,
    result: { revertedTo: fromVersion },
    event: { type: 'Warning', reason: upgradeRevertedReason, message: `${message} (Operation ${ctx.operation.metadata.name})` },
  };
}
