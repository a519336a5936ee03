import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type {
  AppTemplate,
  ClusterSummary,
  FleetEvent,
  InstanceDetail,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { fleetApiRef, type InstanceRef } from '../api/FleetApi';
import {
  applyClusterEvent,
  applyOperationEvent,
  fleetObjectKey,
} from './applyFleetEvent';
import { useFleetEvents, type FleetEventsState } from './useFleetEvents';

/** Everything the entity page shows about one instance, kept live. @public */
export interface InstanceView {
  loading: boolean;
  error?: Error;
  detail?: InstanceDetail;
  cluster?: ClusterSummary;
  app?: AppTemplate;
  live: FleetEventsState;
  reload: () => void;
  /** Shows an Operation just created, before the stream reports it. */
  recordOperation: (operation: OperationSummary) => void;
}

/** The instance after one change of the stream. Pure. @public */
export function applyEventToDetail(
  detail: InstanceDetail,
  event: FleetEvent,
): InstanceDetail {
  const { summary } = detail;
  if (event.kind === 'instance') {
    if (fleetObjectKey(event.instance) !== fleetObjectKey(summary))
      return detail;
    // A delete keeps the last known state on screen; the summary's status says the rest.
    return event.action === 'upsert'
      ? { ...detail, summary: event.instance }
      : detail;
  }
  if (event.kind === 'operation') {
    const operations = applyOperationEvent(detail.operations, event, summary);
    return operations === detail.operations
      ? detail
      : { ...detail, operations };
  }
  return detail;
}

/**
 * Loads the instance (by its coordinates when the entity carries them, by entity ref
 * otherwise), its cluster and its app template, then follows the change stream.
 * @public
 */
export function useInstanceView(target: {
  entityRef: string;
  instance?: InstanceRef;
}): InstanceView {
  const api = useApi(fleetApiRef);
  const { entityRef, instance } = target;
  const instanceKey = instance ? fleetObjectKey(instance) : undefined;
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<
    Omit<InstanceView, 'live' | 'reload' | 'recordOperation'>
  >({ loading: true });
  const reload = useCallback(() => setGeneration(g => g + 1), []);

  useEffect(() => {
    let cancelled = false;
    setState(previous => ({ ...previous, loading: true, error: undefined }));
    // The three requests do not depend on each other: one round trip, not two.
    Promise.all([
      instance
        ? api.getInstance(instance)
        : api.getInstanceByEntityRef(entityRef),
      api.listClusters(),
      api.listApps(),
    ]).then(
      ([detail, clusters, apps]) =>
        !cancelled &&
        setState({
          loading: false,
          detail,
          cluster: clusters.find(c => c.name === detail.summary.cluster),
          app: apps.find(a => a.id === detail.summary.app),
        }),
      error => !cancelled && setState({ loading: false, error }),
    );
    return () => {
      cancelled = true;
    };
    // instanceKey stands for `instance`, whose identity changes on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, entityRef, instanceKey, generation]);

  const applyEvent = useCallback(
    (event: FleetEvent) =>
      setState(previous => {
        if (!previous.detail) return previous;
        const detail = applyEventToDetail(previous.detail, event);
        const cluster =
          previous.cluster && event.kind === 'cluster'
            ? applyClusterEvent([previous.cluster], event).find(
                c => c.name === previous.cluster?.name,
              )
            : previous.cluster;
        return detail === previous.detail && cluster === previous.cluster
          ? previous
          : { ...previous, detail, cluster };
      }),
    [],
  );
  const recordOperation = useCallback(
    (operation: OperationSummary) =>
      applyEvent({ id: -1, kind: 'operation', action: 'upsert', operation }),
    [applyEvent],
  );
  const live = useFleetEvents({ onEvent: applyEvent, onResync: reload });

  return { ...state, live, reload, recordOperation };
}
