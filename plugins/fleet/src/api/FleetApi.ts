import { createApiRef } from '@backstage/core-plugin-api';
import type {
  AppTemplate,
  ClusterSummary,
  CreateOperationRequest,
  FleetEvent,
  FleetSummary,
  InstanceDetail,
  InstancePage,
  InstanceQuery,
  InstanceSummary,
  OperationPage,
  OperationQuery,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';

/** Coordinates of one ApplicationInstance in the fleet. @public */
export interface InstanceRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** Coordinates of one Operation in the fleet. @public */
export interface OperationRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** Callbacks and resume point of one connection to the fleet's change stream. @public */
export interface FleetEventStreamOptions {
  /** Id of the last event seen; the backend resumes after it. */
  lastEventId?: number;
  /** Aborting ends the connection; the returned promise then resolves. */
  signal: AbortSignal;
  /** Called once the backend has accepted the stream. */
  onOpen?: () => void;
  /** Each change, in order. */
  onEvent: (event: FleetEvent) => void;
  /** The backend cannot resume from `lastEventId`: whatever was listed must be listed again. */
  onResync: () => void;
}

/**
 * The fleet backend's API (`/api/fleet`), typed by fleet-common's schemas.
 * @public
 */
export interface FleetApi {
  listClusters(): Promise<ClusterSummary[]>;
  listInstances(query?: InstanceQuery): Promise<InstancePage>;
  /** Every instance matching the query, following the cursor across pages. */
  listAllInstances(
    query?: Omit<InstanceQuery, 'limit' | 'cursor'>,
  ): Promise<InstanceSummary[]>;
  getInstance(ref: InstanceRef): Promise<InstanceDetail>;
  /** The instance behind a catalog entity (`component:default/...`). */
  getInstanceByEntityRef(entityRef: string): Promise<InstanceDetail>;
  getSummary(): Promise<FleetSummary>;
  listApps(): Promise<AppTemplate[]>;
  listOperations(query?: OperationQuery): Promise<OperationPage>;
  createOperation(request: CreateOperationRequest): Promise<OperationSummary>;
  cancelOperation(ref: OperationRef): Promise<OperationSummary>;
  /**
   * Reads the Server-Sent Events stream `GET /events` until it ends or `signal` aborts.
   * Resolves when the stream ends; rejects when it cannot be opened or breaks.
   */
  streamEvents(options: FleetEventStreamOptions): Promise<void>;
}

/** Reference to the {@link FleetApi}. @public */
export const fleetApiRef = createApiRef<FleetApi>({ id: 'plugin.fleet.api' });
