import { NotFoundError } from '@backstage/errors';
import type { KubeClient } from '@vworkspace/kube-runtime';
import type { Outbox } from '../pull/Outbox';
import type { FleetStore } from '../store/FleetStore';
import { unreachable } from './clusterErrors';

/**
 * The outbox when `cluster` is a pull cluster (its agent takes the intent), else undefined;
 * 503 for a pull cluster when this backend keeps no outbox.
 */
export function pullOutboxOf(store: FleetStore, outbox: Outbox | undefined, cluster: string): Outbox | undefined {
  if (store.cluster(cluster)?.definition.mode !== 'pull') return undefined;
  if (!outbox) throw unreachable(cluster, 'this backend has no outbox for pull clusters');
  return outbox;
}

/** The client of a reachable push cluster: 404 for an unknown cluster, 503 naming its last error when unreachable. */
export function pushClientOf(store: FleetStore, cluster: string): KubeClient {
  const entry = store.cluster(cluster);
  const client = store.clientOf(cluster);
  if (!entry) throw new NotFoundError(`Cluster ${cluster} is not part of the fleet`);
  if (!client || entry.connection.state === 'unreachable') throw unreachable(cluster, entry.connection.error);
  return client;
}
