import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ClusterSummary,
  FleetEvent,
  InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { fleetApiRef } from '../api/FleetApi';
import { applyClusterEvent, applyInstanceEvent } from './applyFleetEvent';
import { useFleetEvents, type FleetEventsState } from './useFleetEvents';

/** Clusters and instances of the fleet (or of one cluster), kept live. @public */
export interface FleetView {
  loading: boolean;
  error?: Error;
  clusters: ClusterSummary[];
  instances: InstanceSummary[];
  live: FleetEventsState;
}

/**
 * Lists every cluster and every instance (of one cluster when `cluster` is given), then
 * applies the change stream; a `resync` lists again.
 * @public
 */
export function useFleetView(options: { cluster?: string } = {}): FleetView {
  const api = useApi(fleetApiRef);
  const { cluster } = options;
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<Omit<FleetView, 'live'>>({
    loading: true,
    clusters: [],
    instances: [],
  });

  useEffect(() => {
    let cancelled = false;
    setState(previous => ({ ...previous, loading: true, error: undefined }));
    Promise.all([
      api.listClusters(),
      api.listAllInstances(cluster ? { cluster } : {}),
    ]).then(
      ([clusters, instances]) =>
        !cancelled && setState({ loading: false, clusters, instances }),
      error =>
        !cancelled &&
        setState({ loading: false, error, clusters: [], instances: [] }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, generation]);

  const onEvent = useCallback(
    (event: FleetEvent) => {
      if (
        event.kind === 'instance' &&
        cluster &&
        event.instance.cluster !== cluster
      )
        return;
      setState(previous => {
        if (previous.loading && previous.instances.length === 0)
          return previous;
        const instances = applyInstanceEvent(previous.instances, event);
        const clusters = applyClusterEvent(previous.clusters, event);
        return instances === previous.instances &&
          clusters === previous.clusters
          ? previous
          : { ...previous, instances, clusters };
      });
    },
    [cluster],
  );
  const onResync = useCallback(() => setGeneration(g => g + 1), []);
  const live = useFleetEvents({ onEvent, onResync });
  return { ...state, live };
}
