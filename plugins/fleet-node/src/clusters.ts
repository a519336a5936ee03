import type { ClusterMode } from '@vworkspace/backstage-plugin-fleet-common';

/**
 * Everything needed to reach a push cluster's API. Credentials never leave the backend.
 * @public
 */
export interface PushClusterConnection {
  url: string;
  caData?: string;
  skipTLSVerify?: boolean;
  /** Bearer token, read afresh through this function so a rotated token file is picked up. */
  token?: () => Promise<string>;
  /** A kubeconfig (YAML) and the context to use, as an alternative to url/token. */
  kubeconfig?: { contents: string; context?: string };
}

/** A cluster as a supplier declares it. @public */
export interface ClusterDefinition {
  name: string;
  title: string;
  mode: ClusterMode;
  labels: Record<string, string>;
  /** Present for push clusters. */
  push?: PushClusterConnection;
}

/**
 * A source of cluster definitions beyond the static `fleet.clusters` config (e.g. a cloud
 * inventory, or the embedded demo fleet). Suppliers are polled by the registry.
 * @public
 */
export interface ClusterSupplier {
  /** Stable id, used in logs. */
  id: string;
  getClusters(): Promise<ClusterDefinition[]>;
}
