import type { ResourceKind } from '@vworkspace/kube-runtime';
import {
  applicationInstanceApiVersion,
  operationApiVersion,
} from '@vworkspace/backstage-plugin-fleet-common';

/** The two kinds the fleet store mirrors from every push cluster. */
export const fleetKinds = {
  ApplicationInstance: {
    apiVersion: applicationInstanceApiVersion,
    kind: 'ApplicationInstance',
    plural: 'applicationinstances',
    namespaced: true,
  },
  Operation: {
    apiVersion: operationApiVersion,
    kind: 'Operation',
    plural: 'operations',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceKind>;
