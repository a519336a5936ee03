import {
  OperationType,
  ReplicationSource,
  replicationSourceStatus,
  VolsyncParameters,
  VolumeSnapshot,
  volumeSnapshotStatus,
} from '@vworkspace/backstage-plugin-fleet-common';
import { Engine, EngineContext, EngineFailure, EngineRef } from './Engine';
import { createOrAdopt, deterministicName, engineLabels, getOrUndefined, operatorWrite } from './engineResources';
import { operationKinds } from './kinds';

const paramsOf = (ctx: EngineContext) => ctx.operation.spec.parameters as VolsyncParameters;

function snapshotName(ctx: EngineContext): string {
  return deterministicName([ctx.operation.metadata.name]);
}

/** The manual trigger token of a ReplicationSource sync: the parameter, else the Operation's name. @public */
export function triggerToken(ctx: EngineContext): string {
  const params = paramsOf(ctx);
  return (params.mode === 'replicationSource' && params.trigger) || ctx.operation.metadata.name;
}

/**
 * The VolumeSnapshot of a volumeSnapshot-mode Operation. No ownerReference to the Operation:
 * a snapshot is data, and deleting the request must not delete what it produced.
 * @public
 */
export function buildVolumeSnapshot(ctx: EngineContext): VolumeSnapshot {
  const params = paramsOf(ctx);
  if (params.mode !== 'volumeSnapshot') throw new Error('not a volumeSnapshot operation');
  return {
    apiVersion: operationKinds.VolumeSnapshot.apiVersion,
    kind: 'VolumeSnapshot',
    metadata: { name: snapshotName(ctx), namespace: ctx.operation.metadata.namespace, labels: engineLabels(ctx) },
    spec: {
      source: { persistentVolumeClaimName: params.pvcName },
      ...(params.volumeSnapshotClassName ? { volumeSnapshotClassName: params.volumeSnapshotClassName } : {}),
    },
  };
}

/**
 * Storage-level backups: a CSI VolumeSnapshot of a PVC, or one manual sync of an existing
 * VolSync ReplicationSource (`spec.trigger.manual` set to a token; done when VolSync reports
 * `status.lastManualSync` equal to it). Neither can be interrupted once started, and a
 * snapshot `error` is retried by the snapshotter: the Operation's deadline decides.
 * @public
 */
export const volsyncEngine: Engine = {
  name: 'volsync',
  defaultTimeoutSeconds: 3600,
  requires: 'the CSI snapshot controller or VolSync installed and the chart value volsync.enabled=true',
  supports(type: OperationType) {
    return type === 'Backup';
  },
  ref(ctx): EngineRef {
    const params = paramsOf(ctx);
    const namespace = ctx.operation.metadata.namespace;
    if (params.mode === 'replicationSource') {
      return { apiVersion: operationKinds.ReplicationSource.apiVersion, kind: operationKinds.ReplicationSource.kind, name: params.replicationSourceName, namespace };
    }
    return { apiVersion: operationKinds.VolumeSnapshot.apiVersion, kind: operationKinds.VolumeSnapshot.kind, name: snapshotName(ctx), namespace };
  },
  async start(ctx) {
    const params = paramsOf(ctx);
    const namespace = ctx.operation.metadata.namespace;
    if (params.mode === 'volumeSnapshot') {
      return createOrAdopt(ctx.client, operationKinds.VolumeSnapshot, buildVolumeSnapshot(ctx), ctx);
    }
    const source = await getOrUndefined(ctx.client, operationKinds.ReplicationSource, params.replicationSourceName, namespace);
    if (!source) {
      throw new EngineFailure('ReplicationSourceNotFound', `ReplicationSource ${namespace}/${params.replicationSourceName} not found`);
    }
    const token = triggerToken(ctx);
    if ((source as ReplicationSource).spec.trigger?.manual === token) return source;
    // Merge patch of one field: the rest of the ReplicationSource belongs to whoever set it up.
    return ctx.client.patch(
      operationKinds.ReplicationSource,
      params.replicationSourceName,
      namespace,
      { spec: { trigger: { manual: token } } },
      { type: 'merge', ...operatorWrite },
    );
  },
  get(ctx) {
    const ref = this.ref(ctx);
    const kind = ref.kind === 'ReplicationSource' ? operationKinds.ReplicationSource : operationKinds.VolumeSnapshot;
    return getOrUndefined(ctx.client, kind, ref.name, ref.namespace);
  },
  observe(ctx, resource) {
    if (resource.kind === 'ReplicationSource') {
      const source = resource as ReplicationSource;
      const token = triggerToken(ctx);
      const syncing = source.status?.conditions?.find(c => c.type === 'Synchronizing');
      let phase = syncing?.status === 'True' ? 'Synchronizing' : 'Waiting';
      if (source.status?.lastManualSync === token) phase = 'Synced';
      return {
        status: replicationSourceStatus(source, token),
        raw: {
          phase,
          reason: syncing?.reason,
          message: syncing?.message,
        },
        result: { replicationSourceName: source.metadata.name, trigger: token, lastSyncTime: source.status?.lastSyncTime },
      };
    }
    const snapshot = resource as VolumeSnapshot;
    let phase = snapshot.status?.error ? 'Error' : 'Creating';
    if (snapshot.status?.readyToUse) phase = 'ReadyToUse';
    return {
      status: volumeSnapshotStatus(snapshot),
      raw: {
        phase,
        message: snapshot.status?.error?.message,
      },
      result: { snapshotName: snapshot.metadata.name, restoreSize: snapshot.status?.restoreSize },
    };
  },
  async stop(ctx) {
    const ref = this.ref(ctx);
    return { outcome: 'finishes', message: `${ref.kind} ${ref.namespace}/${ref.name} cannot be interrupted: it is left to finish` };
  },
};
