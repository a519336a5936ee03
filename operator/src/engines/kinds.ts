import { apiResources } from '@vworkspace/backstage-plugin-fleet-common';
import type { ResourceKind } from '@vworkspace/kube-runtime';

/** The kinds the Operation controller and its engines read or write, from the fleet's API vocabulary. @public */
export const operationKinds = {
  Operation: apiResources.Operation,
  ApplicationInstance: apiResources.ApplicationInstance,
  Job: apiResources.Job,
  Secret: apiResources.Secret,
  Event: apiResources.Event,
  ServiceAccount: apiResources.ServiceAccount,
  RoleBinding: apiResources.RoleBinding,
  Workflow: apiResources.Workflow,
  VeleroBackup: apiResources.VeleroBackup,
  VeleroRestore: apiResources.VeleroRestore,
  VolumeSnapshot: apiResources.VolumeSnapshot,
  ReplicationSource: apiResources.ReplicationSource,
} as const satisfies Record<string, ResourceKind>;
