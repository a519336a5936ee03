import type {
  AppTemplate,
  ClusterSummary,
  FleetEvent,
  FleetSummary,
  InstanceDetail,
  InstancePage,
  InstanceQuery,
  OperationQuery,
  OperationPage,
} from '@vworkspace/backstage-plugin-fleet-common';

/**
 * The fleet store's read API: one view of every cluster, ApplicationInstance and Operation,
 * whatever the cluster's connectivity (push clusters are watched, pull clusters report).
 * @public
 */
export interface FleetStoreReader {
  listClusters(): Promise<ClusterSummary[]>;
  listInstances(query?: InstanceQuery): Promise<InstancePage>;
  getInstance(ref: {
    cluster: string;
    namespace: string;
    name: string;
  }): Promise<InstanceDetail | undefined>;
  listOperations(query?: OperationQuery): Promise<OperationPage>;
  summary(): Promise<FleetSummary>;
  listApps(): Promise<AppTemplate[]>;
  /**
   * Follows the change feed. `listener` receives every change after `afterId` (or from now);
   * the returned function stops it. A consumer that falls too far behind is told to resync by
   * an `onResync` call, after which it should list again.
   */
  subscribe(options: {
    afterId?: number;
    onEvent: (event: FleetEvent) => void;
    onResync?: () => void;
  }): () => void;
}
