import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';
import { fleetApiRef } from '../api/FleetApi';
import { runFleetEventStream } from './fleetEventStream';

/** State of the live connection, for a "live" / "reconnecting" hint. @public */
export interface FleetEventsState {
  connected: boolean;
  error?: Error;
}

/**
 * Subscribes the calling component to the fleet's change stream for as long as it is mounted.
 * The handlers may change between renders without reconnecting.
 * @public
 */
export function useFleetEvents(handlers: {
  onEvent: (event: FleetEvent) => void;
  onResync: () => void;
}): FleetEventsState {
  const api = useApi(fleetApiRef);
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const [state, setState] = useState<FleetEventsState>({ connected: false });

  useEffect(() => {
    const controller = new AbortController();
    runFleetEventStream({
      api,
      signal: controller.signal,
      listener: {
        onEvent: event => handlersRef.current.onEvent(event),
        onResync: () => handlersRef.current.onResync(),
        onConnectionChange: (connected, error) => {
          if (!controller.signal.aborted) setState({ connected, error });
        },
      },
    });
    return () => controller.abort();
  }, [api]);

  return state;
}
